/**
 * Register maps of ingest-modbus.bench.ts, the values its server answers, and an independent optimum request
 * count for a map (pure: no I/O).
 */
import type { ReadLimits } from '../backend/src/connectors/modbus/plan';

/** Deterministic PRNG (mulberry32), as plan.test.ts. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The register the server answers at `addr`: recognisable per unit and table, and never above 0x3fff, so a
 * float32 read from any two registers has an exponent below all ones (never NaN or ±Infinity).
 */
export function registerValue(unit: number, table: 'hr' | 'ir', addr: number): number {
  return (unit * 977 + addr * 7 + (table === 'ir' ? 5 : 0)) & 0x3fff;
}

export type RegType = 'uint16' | 'int16' | 'uint32' | 'float32' | 'float64';
const LENGTH: Readonly<Record<RegType, number>> = { uint16: 1, int16: 1, uint32: 2, float32: 2, float64: 4 };

export interface MapPoint {
  unitId: number;
  table: 'hr' | 'ir';
  address: number;
  type: RegType;
  length: number;
}

export interface RegisterMap {
  name: string;
  description: string;
  points: MapPoint[];
}

const pt = (unitId: number, table: 'hr' | 'ir', address: number, type: RegType): MapPoint => ({
  unitId,
  table,
  address,
  type,
  length: LENGTH[type],
});

/** The simulator's rack PDU map (backend/src/sim/pdu-registers.ts) on units 1…`units`, holding registers. */
export function pduMap(units: number): RegisterMap {
  const fields: Array<[number, RegType]> = [
    [0, 'float32'],
    [2, 'float32'],
    [4, 'float32'],
    [6, 'float32'],
    [8, 'uint32'],
    [10, 'uint16'],
    [11, 'uint16'],
    [12, 'float32'],
    [14, 'float32'],
    [16, 'float32'],
    [18, 'float32'],
  ];
  const points: MapPoint[] = [];
  for (let u = 1; u <= units; u++) for (const [a, t] of fields) points.push(pt(u, 'hr', a, t));
  return { name: 'pdu', description: `sim PDU map (hr 0–19, 11 points) × ${units} units`, points };
}

/**
 * Meters with sparse maps: per unit, holding and input registers in runs separated by gaps drawn around
 * `maxGap` (some filled, some not), seeded.
 */
export function sparseMap(units: number, seed: number): RegisterMap {
  const rand = rng(seed);
  // unused registers after a point: mostly small (filled), one in about five wider than maxGap 10 (not filled)
  const gaps = [0, 0, 0, 0, 0, 1, 1, 2, 3, 4, 6, 8, 10, 12, 30, 200];
  const types: RegType[] = ['uint16', 'int16', 'uint32', 'float32', 'float32', 'float64'];
  const points: MapPoint[] = [];
  for (let u = 1; u <= units; u++) {
    for (const [table, n] of [
      ['hr', 24],
      ['ir', 10],
    ] as const) {
      let addr = Math.floor(rand() * 50);
      for (let i = 0; i < n; i++) {
        const type = types[Math.floor(rand() * types.length)] as RegType;
        points.push(pt(u, table, addr, type));
        addr += LENGTH[type] + (gaps[Math.floor(rand() * gaps.length)] as number);
      }
    }
  }
  return {
    name: 'sparse',
    description: `sparse meter maps (24 hr + 10 ir points, gaps 0–200) × ${units} units`,
    points,
  };
}

/** 1 000 contiguous holding registers of one unit as 500 float32 (a float32 never straddles two reads). */
export function denseMap(): RegisterMap {
  const points = Array.from({ length: 500 }, (_, i) => pt(1, 'hr', i * 2, 'float32'));
  return { name: 'dense', description: 'dense: hr 0–999 of one unit as 500 float32', points };
}

/** The address of a map point as a Plenum point address. */
export function addressOf(p: MapPoint): string {
  return `unit=${p.unitId};${p.table}=${p.address};${p.type}`;
}

/** Registers the map's points occupy (what a poll must deliver). */
export function mappedRegisters(map: RegisterMap): number {
  return map.points.reduce((n, p) => n + p.length, 0);
}

function groups(points: readonly MapPoint[]): MapPoint[][] {
  const by = new Map<string, MapPoint[]>();
  for (const p of points) {
    const k = `${p.unitId}:${p.table}`;
    const g = by.get(k);
    if (g) g.push(p);
    else by.set(k, [p]);
  }
  return [...by.values()].map((g) => g.slice().sort((a, b) => a.address - b.address));
}

/** Whether one read can hold all of `group`: span ≤ maxLength and no uncovered run longer than maxGap. */
function fits(group: readonly MapPoint[], l: ReadLimits): boolean {
  const s = [...group].sort((a, b) => a.address - b.address);
  const start = (s[0] as MapPoint).address;
  let end = start;
  for (const it of s) {
    if (it.address - end > l.maxGap) return false;
    end = Math.max(end, it.address + it.length);
  }
  return end - start <= l.maxLength;
}

/**
 * Fewest reads by dynamic programming over runs of the address-sorted points: best[j] = min over i of
 * best[i] + 1 where points i…j-1 fit one read. Exact for maps whose points do not overlap (ours): a read that
 * skipped a point lying inside its span could take it without growing its span or any gap.
 */
function optimumDp(g: readonly MapPoint[], l: ReadLimits): number {
  const best = new Array<number>(g.length + 1).fill(Infinity);
  best[0] = 0;
  for (let i = 0; i < g.length; i++) {
    const base = best[i] as number;
    const start = (g[i] as MapPoint).address;
    let end = start;
    for (let j = i; j < g.length; j++) {
      const p = g[j] as MapPoint;
      if (p.address - end > l.maxGap) break;
      end = Math.max(end, p.address + p.length);
      if (end - start > l.maxLength) break;
      best[j + 1] = Math.min(best[j + 1] as number, base + 1);
    }
  }
  return best[g.length] as number;
}

/** Splits an address-sorted group where more than `maxGap` registers lie unused. */
function clusters(g: readonly MapPoint[], l: ReadLimits): MapPoint[][] {
  const out: MapPoint[][] = [];
  let end = -Infinity;
  for (const p of g) {
    if (p.address - end > l.maxGap || out.length === 0) out.push([p]);
    else (out[out.length - 1] as MapPoint[]).push(p);
    end = Math.max(end, p.address + p.length);
  }
  return out;
}

/** Fewest reads by exhaustive search over set partitions (plan.test.ts's `optimum`): small groups only. */
function optimumExhaustive(items: readonly MapPoint[], l: ReadLimits): number {
  let best = items.length;
  const parts: MapPoint[][] = [];
  const span = (g: readonly MapPoint[]) =>
    Math.max(...g.map((p) => p.address + p.length)) - Math.min(...g.map((p) => p.address));
  const place = (i: number) => {
    if (i === items.length) {
      if (parts.every((g) => fits(g, l))) best = Math.min(best, parts.length);
      return;
    }
    const it = items[i] as MapPoint;
    for (const g of parts) {
      g.push(it);
      if (span(g) <= l.maxLength) place(i + 1);
      g.pop();
    }
    if (parts.length + 1 >= best) return;
    parts.push([it]);
    place(i + 1);
    parts.pop();
  };
  place(0);
  return best;
}

/**
 * The fewest requests that read every point of `map` within `l`, per unit and table. Groups of at most
 * `exhaustiveUpTo` points are also solved by exhaustive search, which must agree (else this throws).
 */
export function optimumRequests(
  map: RegisterMap,
  l: ReadLimits,
  exhaustiveUpTo = 12,
): { requests: number; /** clusters also solved by exhaustive search */ exhaustiveGroups: number; groups: number } {
  let requests = 0;
  let exhaustiveGroups = 0;
  const all = groups(map.points);
  for (const g of all) {
    requests += optimumDp(g, l);
    // no read spans a run of unused registers longer than maxGap: clusters between such runs are independent
    for (const cluster of clusters(g, l)) {
      if (cluster.length > exhaustiveUpTo) continue;
      const dp = optimumDp(cluster, l);
      const ex = optimumExhaustive(cluster, l);
      if (ex !== dp) throw new Error(`optimum disagrees on unit ${cluster[0]?.unitId}: dp ${dp}, exhaustive ${ex}`);
      exhaustiveGroups++;
    }
  }
  return { requests, exhaustiveGroups, groups: all.length };
}
