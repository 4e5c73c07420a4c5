/**
 * The capacity check a scheduler asks before it starts a job (`POST /api/capacity`, from a Slurm prolog or a
 * Kubernetes admission webhook): would the racks' power stay within their rating, and would cooling — the CRAH
 * fans' headroom and the plant's capacity — take the extra heat, now? Answers with every reason it would not.
 */
import type { ApiDeps } from '../api/routes';
import { QueryError } from '../common/errors';
import { AutomationSchema } from './config';

export interface CapacityRequest {
  racks: string[];
  kwPerRack: number;
  hall?: string;
}

export interface CapacityAnswer {
  ok: boolean;
  reasons: string[];
  racks: Array<{
    rack: string;
    hall: string;
    ratedKw: number | null;
    currentKw: number | null;
    afterKw: number;
    headroomKw: number | null;
  }>;
  cooling: { addedKw: number; plantLoadKw?: number; plantKw?: number; fanMaxPct?: number; fanLimitPct: number };
}

const r1 = (v: number) => Math.round(v * 10) / 10;

export function capacityCheck(deps: ApiDeps, q: CapacityRequest): CapacityAnswer {
  const ctx = deps.ctx;
  const cap = (deps.automation?.config ?? AutomationSchema.parse({})).capacity;
  const site = ctx.catalog.site;
  const reasons: string[] = [];
  const racks: CapacityAnswer['racks'] = [];
  let addedKw = 0;
  q.racks.forEach((id, i) => {
    const found = site.halls
      .filter((h) => q.hall === undefined || h.id === q.hall)
      .flatMap((h) =>
        h.rows.flatMap((row) => row.racks.filter((r) => r.id === id).map((r) => ({ hall: h.id, rack: r }))),
      );
    if (found.length === 0)
      throw new QueryError(`body.racks[${i}]: no rack "${id}"${q.hall ? ` in hall ${q.hall}` : ''}`);
    if (found.length > 1) throw new QueryError(`body.racks[${i}]: rack "${id}" is in several halls; give body.hall`);
    const { hall, rack } = found[0] as (typeof found)[number];
    const pdus = new Set(rack.assets.filter((a) => a.type === 'pdu').map((a) => a.id));
    const points = ctx.catalog
      .select({ hall: [hall], rack: [id], quantity: ['power'] })
      .filter((p) => pdus.has(p.location.asset ?? ''));
    const latest = ctx.historian.latest(points.map((p) => p.id));
    const good = points
      .map((p) => latest.get(p.id))
      .filter((s) => s && s.quality !== 'bad')
      .map((s) => Number(s?.value));
    const currentKw = good.length ? good.reduce((a, b) => a + b, 0) : null;
    const afterKw = Math.max(q.kwPerRack, currentKw ?? 0);
    addedKw += afterKw - (currentKw ?? 0);
    const ratedKw = rack.ratedKw ?? null;
    if (ratedKw !== null && afterKw > ratedKw)
      reasons.push(`rack ${id}: ${r1(afterKw)} kW expected, above its ${ratedKw} kW rating`);
    if (currentKw === null) reasons.push(`rack ${id}: its PDU power is unknown (no good reading)`);
    racks.push({
      rack: id,
      hall,
      ratedKw,
      currentKw: currentKw === null ? null : r1(currentKw),
      afterKw: r1(afterKw),
      headroomKw: ratedKw === null ? null : r1(ratedKw - afterKw),
    });
  });
  const cooling: CapacityAnswer['cooling'] = { addedKw: r1(addedKw), fanLimitPct: cap.fanLimitPct };
  if (cap.fans) {
    const fans = ctx.catalog.select({ ids: [cap.fans] });
    const vals = [...ctx.historian.latest(fans.map((p) => p.id)).values()]
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
    const s = ctx.historian.latest([cap.plantLoad]).get(cap.plantLoad);
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
  return { ok: reasons.length === 0, reasons, racks, cooling };
}
