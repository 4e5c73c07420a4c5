import type { Historian } from '../historian/types';
import type { Peer } from './peers';
import { exportedPoints, wireSamples, type QueuedSample } from './series';
import type { Point } from '@plenum/model';
import { bitsValue, isStaleNaN } from './write-request';

/**
 * Shared by the remote-write tests that run real receivers: an edge's config, and each side's samples as one
 * comparable shape — series (labels as sorted JSON) → samples in time order, values as numbers or 'stale'.
 */

export type Value = number | 'stale';
export type SeriesSamples = Map<string, Array<[number, Value]>>;

/** a site of `racks` racks in one row, each with a PDU (power, kW; breaker, boolean) and an inlet sensor */
export function edgeConfigYaml(o: {
  writeUrl: string;
  racks: number;
  /** generator interval; no source when unset */
  interval?: string;
  remoteWrite?: string;
}): string {
  const racks = Array.from({ length: o.racks }, (_, i) => `R${String(i + 1).padStart(2, '0')}`);
  return `site:
  id: edge
  halls:
    - id: hall1
      rows:
        - id: A
          racks:
${racks.map((r, i) => `            - { id: ${r}, x: ${i}, y: 0, assets: [{ id: pdu, type: pdu }, { id: env, type: sensor }] }`).join('\n')}
api: { host: 127.0.0.1, port: 8080 }
sources:
  - name: gen
    connector: generator
    interval: ${o.interval ?? '1s'}
    points:
      - { asset: 'hall1/A/*/pdu', signal: power, quantity: power, tags: [power] }
      - { asset: 'hall1/A/*/pdu', signal: breaker, quantity: state, valueType: boolean, kind: status }
      - { asset: 'hall1/A/*/env', signal: inlet_temp, quantity: temperature, tags: [inlet, temp] }
remoteWrite:
  url: ${o.writeUrl}
  batchSamples: 500
  flushInterval: 200ms
  backoff: { min: 100ms, max: 1s }
  externalLabels: { edge: hall1-edge }
${o.remoteWrite ?? ''}`;
}

const key = (labels: Record<string, string>) =>
  JSON.stringify(Object.fromEntries(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));

/**
 * What the receiver should hold: every stored sample of the exported points in [from, to), mapped as the sender
 * maps it (series.ts), read from the historian.
 */
export function expectedFromHistorian(
  historian: Pick<Historian, 'readRaw'>,
  points: Point[],
  externalLabels: Record<string, string>,
  from: number,
  to: number,
): SeriesSamples {
  const out: SeriesSamples = new Map();
  const exp = exportedPoints(() => points, undefined, { externalLabels, qualitySeries: true });
  for (const [id, p] of exp) {
    const raw = historian.readRaw(id, from, to);
    const q: QueuedSample[] = [];
    for (let i = 0; i < raw.ts.length; i++) wireSamples(p, raw.ts[i]!, raw.values[i]!, raw.quality[i]!, q);
    for (const s of [p.value, p.quality!]) {
      const list = q
        .filter((x) => x.key === s.key)
        .map((x): [number, Value] => [x.ts, isStaleNaN(x.lo, x.hi) ? 'stale' : bitsValue(x.lo, x.hi)]);
      if (list.length) out.set(key(Object.fromEntries(s.labels.map((l) => [l.name, l.value]))), list);
    }
  }
  return out;
}

/** Prometheus' JSON float strings, as Go formats them */
const num = (v: string): number => (v === 'NaN' ? NaN : v === '+Inf' ? Infinity : v === '-Inf' ? -Infinity : Number(v));

/** VictoriaMetrics' /api/v1/export (JSON lines: every raw sample), after a force flush */
export async function readVictoria(peer: Peer, match = '{__name__=~"plenum_.*"}'): Promise<SeriesSamples> {
  await fetch(`${peer.url}/internal/force_flush`);
  const res = await fetch(`${peer.url}/api/v1/export?${new URLSearchParams({ 'match[]': match })}`);
  if (!res.ok) throw new Error(`victoria-metrics export: ${res.status} ${await res.text()}`);
  const out: SeriesSamples = new Map();
  for (const line of (await res.text()).split('\n')) {
    if (!line.trim()) continue;
    // VictoriaMetrics keeps Prometheus' stale marker (its own bits) and exports it as null
    const row = JSON.parse(line) as {
      metric: Record<string, string>;
      values: Array<number | string | null>;
      timestamps: number[];
    };
    const list = row.timestamps.map((t, i): [number, Value] => {
      const v = row.values[i];
      return [t, v === null || v === undefined ? 'stale' : typeof v === 'string' ? num(v) : v];
    });
    out.set(
      key(row.metric),
      list.sort((a, b) => a[0] - b[0]),
    );
  }
  return out;
}

/**
 * Prometheus: every raw sample through a range selector at `at` over `rangeS` seconds. Range selectors leave
 * stale markers out, so they are compared as absent.
 */
export async function readPrometheus(peer: Peer, at: number, rangeS: number): Promise<SeriesSamples> {
  const q = new URLSearchParams({ query: `{__name__=~"plenum_.*"}[${rangeS}s]`, time: String(at / 1000) });
  const res = await fetch(`${peer.url}/api/v1/query?${q}`);
  const body = (await res.json()) as {
    status: string;
    error?: string;
    data: { result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }> };
  };
  if (body.status !== 'success') throw new Error(`prometheus query: ${body.error}`);
  const out: SeriesSamples = new Map();
  for (const r of body.data.result)
    out.set(
      key(r.metric),
      r.values.map(([t, v]): [number, Value] => [Math.round(t * 1000), num(v)]),
    );
  return out;
}

/** the expectation as Prometheus answers a range selector: stale markers absent, empty series gone */
export function withoutStale(s: SeriesSamples): SeriesSamples {
  const out: SeriesSamples = new Map();
  for (const [k, list] of s) {
    const kept = list.filter(([, v]) => v !== 'stale');
    if (kept.length) out.set(k, kept);
  }
  return out;
}

/** sorted entries, for a readable toEqual diff */
export const entries = (s: SeriesSamples) => [...s.entries()].sort(([a], [b]) => (a < b ? -1 : 1));

export function sampleCount(s: SeriesSamples): number {
  let n = 0;
  for (const l of s.values()) n += l.length;
  return n;
}

export async function until<T>(what: string, check: () => Promise<T | undefined> | T | undefined, ms = 30_000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * `got` as `expected`: the same series (labels), the same timestamps, the same values — exactly, or within
 * `relTol` relative (VictoriaMetrics keeps a value as a decimal mantissa and exponent: about 12 significant
 * digits, exact for the decimals sensors send, not for every float64). Returns the mismatches, empty when equal.
 */
export function mismatches(got: SeriesSamples, expected: SeriesSamples, relTol = 0): string[] {
  const out: string[] = [];
  for (const k of new Set([...got.keys(), ...expected.keys()])) {
    const g = got.get(k);
    const e = expected.get(k);
    if (!g || !e) {
      out.push(`${g ? 'unexpected' : 'missing'} series ${k} (${(g ?? e)!.length} samples)`);
      continue;
    }
    if (g.length !== e.length) out.push(`${k}: ${g.length} samples, expected ${e.length}`);
    for (let i = 0; i < Math.min(g.length, e.length); i++) {
      const [gt, gv] = g[i]!;
      const [et, ev] = e[i]!;
      const same =
        gt === et &&
        (gv === ev || (typeof gv === 'number' && typeof ev === 'number' && Math.abs(gv - ev) <= relTol * Math.abs(ev)));
      if (!same) {
        out.push(`${k}: sample ${i} is [${gt}, ${gv}], expected [${et}, ${ev}]`);
        break;
      }
    }
  }
  return out.slice(0, 20);
}
