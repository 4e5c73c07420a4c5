/**
 * Power and cooling headroom. The capacity check a scheduler asks before it starts a job (`POST /api/capacity`,
 * from a Slurm prolog or a Kubernetes admission webhook): would each rack stay within its rating (its PDU's,
 * `ratedKw`), each feed the racks hang off (a busway, RPP or UPS output: `automation.capacity.feeds`) within its
 * rating, and would cooling — the CRAH fans' headroom and the plant's capacity — take the extra heat, now? Answers
 * with every reason it would not. The power-management notification of a job carries the same rack and feed
 * headroom (powerHeadroom).
 */
import type { Rack } from '@plenum/model';
import type { Catalog } from '../catalog/catalog';
import { globToRegExp } from '../catalog/glob';
import { QueryError } from '../common/errors';
import type { Historian } from '../historian/types';
import { AutomationSchema, type AutomationConfig } from './config';

export interface CapacityRequest {
  racks: string[];
  kwPerRack: number;
  hall?: string;
}

export interface RackHeadroom {
  rack: string;
  hall: string;
  ratedKw: number | null;
  /** the sum of its PDUs' good power readings, kW; null when none is good */
  currentKw: number | null;
  /** with the job, kW: its expected kW per rack, or what it draws now if more */
  afterKw: number | null;
  headroomKw: number | null;
}

export interface FeedHeadroom {
  feed: string;
  ratedKw: number;
  /** every rack on the feed, now, kW; null when a rack on it has no good reading */
  loadKw: number | null;
  afterKw: number | null;
  /** ratedKw less the margin less afterKw, kW */
  headroomKw: number | null;
  /** the asked-about racks on this feed */
  racks: string[];
}

export interface CapacityAnswer {
  ok: boolean;
  reasons: string[];
  racks: RackHeadroom[];
  feeds: FeedHeadroom[];
  cooling: { addedKw: number; plantLoadKw?: number; plantKw?: number; fanMaxPct?: number; fanLimitPct: number };
}

/** where readings come from: the running backend's catalog and historian */
export interface PowerReadings {
  catalog: Catalog;
  historian: Historian;
}

type Capacity = AutomationConfig['capacity'];
type SiteRack = { hall: string; rack: Rack };

const r1 = (v: number) => Math.round(v * 10) / 10;

function allRacks(src: PowerReadings): SiteRack[] {
  return src.catalog.site.halls.flatMap((h) =>
    h.rows.flatMap((row) => row.racks.map((rack) => ({ hall: h.id, rack }))),
  );
}

/** The rack `id` (in `hall` when given); QueryError naming `field` when it is unknown or ambiguous. */
export function findRack(src: PowerReadings, id: string, hall: string | undefined, field: string): SiteRack {
  const found = allRacks(src).filter((r) => r.rack.id === id && (hall === undefined || r.hall === hall));
  if (found.length === 0) throw new QueryError(`${field}: no rack "${id}"${hall ? ` in hall ${hall}` : ''}`);
  if (found.length > 1) throw new QueryError(`${field}: rack "${id}" is in several halls; give body.hall`);
  return found[0] as SiteRack;
}

/** The sum of the rack's PDU power readings that are not bad, kW; null when there is none. */
function rackKw(src: PowerReadings, { hall, rack }: SiteRack): number | null {
  const pdus = new Set(rack.assets.filter((a) => a.type === 'pdu').map((a) => a.id));
  const points = src.catalog
    .select({ hall: [hall], rack: [rack.id], quantity: ['power'] })
    .filter((p) => pdus.has(p.location.asset ?? ''));
  const latest = src.historian.latest(points.map((p) => p.id));
  const good = points
    .map((p) => latest.get(p.id))
    .filter((s) => s && s.quality !== 'bad' && typeof s.value === 'number')
    .map((s) => s?.value as number);
  return good.length ? good.reduce((a, b) => a + b, 0) : null;
}

const onFeed = (feed: Capacity['feeds'][number]) => {
  const res = feed.racks.map(globToRegExp);
  return (r: SiteRack) => (feed.hall === undefined || feed.hall === r.hall) && res.some((re) => re.test(r.rack.id));
};

/**
 * Rack and feed headroom for `racks` now, and with a job of `kwPerRack` on them (a rack's after is the job's kW
 * or what it draws now, if more); without `kwPerRack`, after is now.
 */
export function powerHeadroom(
  src: PowerReadings,
  cap: Capacity,
  racks: readonly SiteRack[],
  kwPerRack?: number,
): { racks: RackHeadroom[]; feeds: FeedHeadroom[] } {
  const kw = new Map<string, number | null>();
  const kwOf = (r: SiteRack) => {
    const key = `${r.hall}/${r.rack.id}`;
    if (!kw.has(key)) kw.set(key, rackKw(src, r));
    return kw.get(key) as number | null;
  };
  const rackOut = racks.map((r): RackHeadroom => {
    const currentKw = kwOf(r);
    const afterKw = kwPerRack === undefined ? currentKw : Math.max(kwPerRack, currentKw ?? 0);
    const ratedKw = r.rack.ratedKw ?? null;
    return {
      rack: r.rack.id,
      hall: r.hall,
      ratedKw,
      currentKw: currentKw === null ? null : r1(currentKw),
      afterKw: afterKw === null ? null : r1(afterKw),
      headroomKw: ratedKw === null || afterKw === null ? null : r1(ratedKw - afterKw),
    };
  });
  const site = cap.feeds.length ? allRacks(src) : [];
  const feeds: FeedHeadroom[] = [];
  for (const feed of cap.feeds) {
    const match = onFeed(feed);
    const asked = racks.filter(match);
    if (asked.length === 0) continue;
    const loads = site.filter(match).map((r) => kwOf(r));
    const loadKw = loads.some((v) => v === null) ? null : (loads as number[]).reduce((a, b) => a + b, 0);
    const added = rackOut
      .filter((o) => asked.some((a) => a.rack.id === o.rack && a.hall === o.hall))
      .reduce((a, o) => a + (o.afterKw ?? 0) - (o.currentKw ?? 0), 0);
    const afterKw = loadKw === null ? null : loadKw + added;
    feeds.push({
      feed: feed.id,
      ratedKw: feed.ratedKw,
      loadKw: loadKw === null ? null : r1(loadKw),
      afterKw: afterKw === null ? null : r1(afterKw),
      headroomKw: afterKw === null ? null : r1(feed.ratedKw * (1 - cap.feedMargin) - afterKw),
      racks: asked.map((a) => a.rack.id),
    });
  }
  return { racks: rackOut, feeds };
}

export function capacityCheck(
  src: PowerReadings,
  config: AutomationConfig | undefined,
  q: CapacityRequest,
): CapacityAnswer {
  const cap = (config ?? AutomationSchema.parse({})).capacity;
  const racks = q.racks.map((id, i) => findRack(src, id, q.hall, `body.racks[${i}]`));
  const power = powerHeadroom(src, cap, racks, q.kwPerRack);
  const reasons: string[] = [];
  let addedKw = 0;
  for (const r of power.racks) {
    addedKw += (r.afterKw ?? 0) - (r.currentKw ?? 0);
    if (r.ratedKw !== null && r.afterKw !== null && r.afterKw > r.ratedKw)
      reasons.push(`rack ${r.rack}: ${r.afterKw} kW expected, above its ${r.ratedKw} kW rating`);
    if (r.currentKw === null) reasons.push(`rack ${r.rack}: its PDU power is unknown (no good reading)`);
  }
  for (const f of power.feeds) {
    const limit = r1(f.ratedKw * (1 - cap.feedMargin));
    if (f.afterKw === null) reasons.push(`feed ${f.feed}: its load is unknown (a rack on it has no good reading)`);
    else if (f.afterKw > limit)
      reasons.push(
        `feed ${f.feed}: would carry ${f.afterKw} kW, above ${limit} kW (${f.ratedKw} kW less ${cap.feedMargin * 100} %)`,
      );
  }
  const cooling: CapacityAnswer['cooling'] = { addedKw: r1(addedKw), fanLimitPct: cap.fanLimitPct };
  if (cap.fans) {
    const fans = src.catalog.select({ ids: [cap.fans] });
    const vals = [...src.historian.latest(fans.map((p) => p.id)).values()]
      .filter((s) => s.quality !== 'bad')
      .map((s) => Number(s.value));
    if (vals.length) {
      cooling.fanMaxPct = r1(Math.max(...vals));
      if (cooling.fanMaxPct > cap.fanLimitPct)
        reasons.push(
          `cooling: a CRAH fan runs at ${cooling.fanMaxPct} %, above the ${cap.fanLimitPct} % kept in reserve`,
        );
    } else reasons.push('cooling: the CRAH fan speeds are unknown');
  }
  if (cap.plantLoad && cap.plantKw !== undefined) {
    const s = src.historian.latest([cap.plantLoad]).get(cap.plantLoad);
    if (s && s.quality !== 'bad' && typeof s.value === 'number') {
      cooling.plantLoadKw = r1(s.value);
      cooling.plantKw = cap.plantKw;
      const limit = cap.plantKw * (1 - cap.plantMargin);
      if (s.value + addedKw > limit)
        reasons.push(
          `cooling: the plant would carry ${r1(s.value + addedKw)} kW, above ${r1(limit)} kW (${cap.plantKw} kW less ${cap.plantMargin * 100} %)`,
        );
    } else reasons.push('cooling: the plant load is unknown');
  }
  return { ok: reasons.length === 0, reasons, racks: power.racks, feeds: power.feeds, cooling };
}
