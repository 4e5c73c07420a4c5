/**
 * Rack GPU power caps through the racks' BMCs, as Redfish exposes them: `PATCH <root>/Chassis/<id>/Power` with
 * `{"PowerControl":[{"PowerLimit":{"LimitInWatts": W | null}}]}` (null removes the cap), then a GET reads back the
 * limit in force. Each rack's cap is a point `<site>/<hall>/<row>/<rack>/gpu/power_limit` (kW) so the guard judges,
 * records and leases it like any plant write.
 */
import type { Rack } from '@plenum/model';
import { CANONICAL_UNITS } from '@plenum/model';
import type { SourcePoint, WriteOutcome } from '../connectors/types';
import { WriteError } from '../connectors/types';
import type { AutomationConfig } from './config';
import { powerLimitPoint } from './rules/rule';

export const POWER_CAP_CONNECTOR = 'redfish';
const POWER_CAP_SOURCE = 'power-caps';

/**
 * A virtual power-cap point of automation.powerCaps — not a point of a configured `redfish` source, whose writes
 * go through its own runner.
 */
export const isPowerCapPoint = (p: Pick<SourcePoint, 'source'> | undefined): boolean =>
  p?.source.connector === POWER_CAP_CONNECTOR && p.source.source === POWER_CAP_SOURCE;

/** One virtual point per rack of the site, when power caps are configured. */
export function powerCapPoints(
  site: { id: string; halls: Array<{ id: string; rows: Array<{ id: string; racks: Rack[] }> }> },
  caps: NonNullable<AutomationConfig['powerCaps']>,
): SourcePoint[] {
  const unit = CANONICAL_UNITS.power;
  return site.halls.flatMap((h) =>
    h.rows.flatMap((row) =>
      row.racks.map((r) => ({
        id: powerLimitPoint(site.id, h.id, row.id, r.id),
        name: `${r.id} GPU power cap`,
        domain: 'IT' as const,
        quantity: 'power' as const,
        unit: unit.symbol,
        grafanaUnit: unit.grafanaUnit,
        valueType: 'number' as const,
        kind: 'setpoint' as const,
        writable: true,
        location: { site: site.id, hall: h.id, row: row.id, rack: r.id, asset: 'gpu' },
        tags: ['power', 'cap', 'gpu'],
        source: {
          connector: POWER_CAP_CONNECTOR,
          source: POWER_CAP_SOURCE,
          address: caps.chassis.replaceAll('{rack}', r.id),
        },
        min: caps.minKw,
        ...(r.ratedKw !== undefined && { max: r.ratedKw }),
        sourceUnit: unit.symbol,
        conversion: { scale: 1, offset: 0 },
      })),
    ),
  );
}

/** fetch says "fetch failed"; the reason (ECONNREFUSED, a timeout) is its cause */
function fetchError(err: unknown): string {
  const e = err as { message?: unknown; cause?: { message?: unknown } };
  const msg = String(e?.message ?? err);
  return e?.cause?.message !== undefined ? `${msg}: ${String(e.cause.message)}` : msg;
}

export class PowerCapClient {
  /** the last limit read back per point, kW (null: none) */
  readonly known = new Map<string, number | null>();

  constructor(
    private readonly caps: NonNullable<AutomationConfig['powerCaps']>,
    private readonly now: () => number,
  ) {}

  private url(p: SourcePoint): string {
    return `${this.caps.redfish.replace(/\/+$/, '')}/Chassis/${encodeURIComponent(p.source.address)}/Power`;
  }

  private headers(): Record<string, string> {
    return {
      'content-type': 'application/json',
      accept: 'application/json',
      ...(this.caps.token && { 'x-auth-token': this.caps.token }),
    };
  }

  async write(p: SourcePoint, kw: number | null): Promise<WriteOutcome> {
    const url = this.url(p);
    let r: Response;
    try {
      r = await fetch(url, {
        method: 'PATCH',
        headers: this.headers(),
        body: JSON.stringify({
          PowerControl: [{ PowerLimit: { LimitInWatts: kw === null ? null : Math.round(kw * 1000) } }],
        }),
        signal: AbortSignal.timeout(10_000),
      });
    } catch (err) {
      throw new WriteError('device', `${p.id}: PATCH ${url}: ${fetchError(err)}`);
    }
    if (!r.ok) {
      const body = (await r.json().catch(() => ({}))) as {
        error?: { message?: string; '@Message.ExtendedInfo'?: Array<{ Message?: string }> };
      };
      const msg = body.error?.['@Message.ExtendedInfo']?.[0]?.Message ?? body.error?.message ?? r.statusText;
      throw new WriteError(
        r.status >= 500 ? 'device' : 'refused',
        `${p.id}: PATCH ${url}: HTTP ${r.status}: ${msg}`,
        r.status,
      );
    }
    // the read-back: a failure here names the point too (it was a bare "Unexpected token" from r.json())
    let power: { PowerControl?: Array<{ PowerLimit?: { LimitInWatts?: number | null } }> };
    try {
      const g = await fetch(url, { headers: this.headers(), signal: AbortSignal.timeout(10_000) });
      if (!g.ok) throw new WriteError('device', `${p.id}: GET ${url}: HTTP ${g.status}: ${g.statusText}`, g.status);
      power = (await g.json()) as typeof power;
    } catch (err) {
      if (err instanceof WriteError) throw err;
      throw new WriteError('device', `${p.id}: GET ${url}: ${fetchError(err)}`);
    }
    const w = power.PowerControl?.[0]?.PowerLimit?.LimitInWatts;
    const readBack = typeof w === 'number' ? w / 1000 : null;
    this.known.set(p.id, readBack);
    return { readBack, rawStatus: 0, at: this.now() };
  }
}
