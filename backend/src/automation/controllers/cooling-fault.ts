/**
 * The reverse direction (pure decider): a cooling fault under load. A CRAH that trips (its fan below
 * `tripBelowPct` for `tripFor` while it should run) or chilled water that is lost (a chiller stopped and supply
 * is above setpoint + `chwMarginK`, or supply above `chwAlarmC`; see chilledWater) first
 * gets its zone's remaining units raised — fan override to `neighbourFanPct`, supply setpoint lower. A trip that
 * leaves the zone short of air caps its racks at once to the power the remaining airflow carries (`sizeCaps`). If
 * the zone's hottest inlet still passes `capAboveC`, the racks there get GPU power caps as the last resort, stepped down by
 * `capStepKw` every `capEvery` while it stays hot, stepped back up once it is below `releaseBelowC`, handed back
 * when the fault is over; the scheduler and power management are told when caps start and end.
 */
import { z } from 'zod';
import { duration, slug, strict } from '../../config/schema-parts';
import type { RuleConfig } from '../config';
import type { Decider, Decision, DecisionView, Notification, WantedWrite } from '../decider';
import type { InputSample } from '../guard/verdict';
import { powerLimitPoint } from '../rules/rule';
import { AirflowFields, approach, fill, kwForAirflow, resolveZones, ZoneSchema, type Zone } from './zones';

const point = z.string().min(1);

export const CoolingFaultOptions = strict({
  hall: slug().optional().describe('@default the first hall of the site'),
  zones: z.array(ZoneSchema).min(1),
  plant: slug().optional().describe('the chilled-water plant asset (for chilled-water loss), @default none'),
  tripBelowPct: z
    .number()
    .min(0)
    .max(50)
    .default(5)
    .describe('a CRAH fan below this is tripped (its minimum is 20 %), @default 5'),
  tripFor: duration().prefault('30s').describe('for this long, @default 30s'),
  chwAlarmC: z
    .number()
    .default(25)
    .describe(
      'chilled-water supply above this (for tripFor) is a loss of chilled water whatever the plant reports, °C, @default 25',
    ),
  chwMarginK: z
    .number()
    .positive()
    .default(2)
    .describe('after a chiller stopped, supply this far above its setpoint is a loss of chilled water, K, @default 2'),
  chillerLostWindow: duration()
    .prefault('15m')
    .describe(
      'a drop in running chillers counts for this long: a plant staging up under a load step warms too, but never stops a chiller, @default 15m',
    ),
  neighbourFanPct: z
    .number()
    .min(0)
    .max(100)
    .default(100)
    .describe("fan override of the zone's other units, %, @default 100"),
  fanRatePerMin: z
    .number()
    .positive()
    .default(40)
    .describe('how fast their fans are driven up, % per minute, @default 40'),
  supplyDeltaK: z.number().min(0).max(6).default(2).describe('their supply setpoint this much lower, K, @default 2'),
  capAboveC: z
    .number()
    .default(29)
    .describe('cap racks of a faulted zone while its hottest inlet is above this, °C, @default 29'),
  releaseBelowC: z.number().default(27).describe('raise the caps again below this, °C, @default 27'),
  capStepKw: z.number().positive().default(10).describe('cap change per step, kW, @default 10'),
  capEvery: duration().prefault('1m').describe('one cap step this often, @default 1m'),
  capMinKw: z.number().positive().default(40).describe('the lowest cap, kW, @default 40'),
  setpointRatePerMin: z.number().positive().default(1),
  sizeCaps: z
    .boolean()
    .default(true)
    .describe(
      "on a CRAH trip, cap the zone's racks at once to the power the remaining units' airflow can carry (before the heat arrives), then step as above, @default true",
    ),
  ...AirflowFields,
  points: strict({
    fanSpeed: point.default('{site}/{hall}/-/-/{crah}/fan_speed'),
    fanOverride: point.default('{site}/{hall}/-/-/{crah}/fan_override'),
    supplySetpoint: point.default('{site}/{hall}/-/-/{crah}/supply_setpoint'),
    chwSupply: point.default('{site}/{hall}/-/-/{plant}/chw_supply_temp'),
    chwSetpoint: point.default('{site}/{hall}/-/-/{plant}/chw_setpoint'),
    chillersRunning: point.default('{site}/{hall}/-/-/{plant}/chillers_running'),
    inlet: point.default('{site}/{hall}/{row}/{rack}/env/inlet_temp'),
    rackPower: point.default('{site}/{hall}/{row}/{rack}/pdu/power'),
  }).prefault({}),
}).refine((o) => o.releaseBelowC < o.capAboveC, {
  message: 'releaseBelowC must be below capAboveC',
  path: ['releaseBelowC'],
});

type Options = z.output<typeof CoolingFaultOptions>;

export class CoolingFault implements Decider {
  private readonly o: Options;
  private readonly hall: string;
  private zones?: Zone[];
  /** Unix ms a CRAH's fan was first seen below the trip threshold */
  private readonly lowSince = new Map<string, number>();
  /** per rack: the cap in force, and the slot of the last step */
  private readonly caps = new Map<string, number>();
  private lastStep = -1;
  private capping = false;
  /** chilled water: the running chillers last seen, when one last stopped, since when supply is above alarm */
  private running?: number;
  private chillerStoppedAt = -Infinity;
  private chwHighSince?: number;
  private chwLost = false;
  private readonly base = new Map<string, { base: number; wanted: number; at: number }>();

  constructor(
    private readonly rule: RuleConfig,
    private readonly site: string,
    firstHall: string,
  ) {
    this.o = CoolingFaultOptions.parse(rule.options);
    this.hall = this.o.hall ?? firstHall;
  }

  private p(tpl: string, v: Record<string, string> = {}) {
    return fill(tpl, { site: this.site, hall: this.hall, plant: this.o.plant ?? '', ...v });
  }

  decide(view: DecisionView): Decision {
    const now = view.now;
    this.zones ??= resolveZones(this.o.zones, this.hall, view);
    const inputs: InputSample[] = [];
    const read = (id: string) => {
      const i = view.latest(id);
      inputs.push(i);
      return typeof i.value === 'number' && i.quality === 'good' ? i.value : undefined;
    };
    const chw = this.o.plant ? this.chilledWater(read, now) : undefined;
    const chwLost = chw !== undefined;
    const writes: WantedWrite[] = [];
    const notify: Notification[] = [];
    const faults: string[] = [];
    const wantedCaps = new Map<string, { point: string; kw: number; why: string }>();
    const slot = Math.floor(now / this.o.capEvery);
    const step = slot !== this.lastStep;
    for (const z of this.zones) {
      const tripped = z.crahs.filter((crah) => {
        const v = read(this.p(this.o.points.fanSpeed, { crah }));
        if (v !== undefined && v < this.o.tripBelowPct) {
          const since = this.lowSince.get(crah) ?? now;
          this.lowSince.set(crah, since);
          return now - since >= this.o.tripFor;
        }
        this.lowSince.delete(crah);
        return false;
      });
      if (tripped.length === 0 && !chwLost) continue;
      faults.push(tripped.length ? `${tripped.join(', ')} tripped` : `chilled water lost (${chw} °C)`);
      const why = `cooling fault in zone ${z.crahs.join('+')}: ${faults.at(-1)}`;
      for (const crah of z.crahs.filter((c) => !tripped.includes(c))) {
        const fan = this.want(
          view,
          this.p(this.o.points.fanOverride, { crah }),
          this.o.neighbourFanPct,
          this.o.fanRatePerMin,
          why,
          now,
          'atLeast',
        );
        const sp =
          this.o.supplyDeltaK > 0
            ? this.want(
                view,
                this.p(this.o.points.supplySetpoint, { crah }),
                -this.o.supplyDeltaK,
                this.o.setpointRatePerMin,
                why,
                now,
                'offset',
              )
            : undefined;
        for (const w of [fan, sp]) if (w) writes.push(w);
      }
      // the last resort: GPU power caps on the zone's racks while it stays too hot
      const inlets = z.racks.map((r) => ({ r, c: read(this.p(this.o.points.inlet, { row: r.row, rack: r.id })) }));
      const hottest = Math.max(...inlets.map((x) => x.c ?? -Infinity));
      // a trip leaves the zone short of air: the racks' power the remaining units can carry, as the first cap
      const left = (z.crahs.length - tripped.length) * this.o.crahAirflow;
      const sized =
        this.o.sizeCaps && tripped.length > 0 ? Math.floor(kwForAirflow(this.o, z.racks.length, left)) : undefined;
      for (const { r, c } of inlets) {
        const id = powerLimitPoint(this.site, this.hall, r.row, r.id);
        let cap = this.caps.get(r.id);
        const power = read(this.p(this.o.points.rackPower, { row: r.row, rack: r.id }));
        if (cap === undefined && sized !== undefined && power !== undefined && power > sized) {
          cap = Math.max(this.o.capMinKw, sized);
        } else if (step && hottest > this.o.capAboveC && c !== undefined && c > this.o.releaseBelowC) {
          const from = cap ?? power;
          if (from !== undefined) cap = Math.max(this.o.capMinKw, from - this.o.capStepKw);
        } else if (step && cap !== undefined && hottest < this.o.releaseBelowC)
          // while the unit is still down the sized cap is the ceiling: above it the aisle runs short of air again
          cap = Math.min(cap + this.o.capStepKw, sized ?? Infinity);
        if (cap !== undefined) {
          this.caps.set(r.id, cap);
          wantedCaps.set(r.id, {
            point: id,
            kw: cap,
            why: `${why}; hottest inlet ${Math.round(hottest * 10) / 10} °C`,
          });
        }
      }
    }
    if (step) this.lastStep = slot;
    // caps of zones whose fault has cleared are handed back (uncapped at once: the fault is gone)
    for (const [rack] of this.caps) if (!wantedCaps.has(rack)) this.caps.delete(rack);
    for (const [, c] of wantedCaps) writes.push({ pointId: c.point, value: c.kw, reason: c.why, inputs });
    const capping = wantedCaps.size > 0;
    if (capping !== this.capping) {
      const body = {
        rule: this.rule.id,
        capping,
        racks: [...wantedCaps.keys()],
        caps: Object.fromEntries([...wantedCaps].map(([r, c]) => [r, c.kw])),
        faults,
      };
      notify.push({ kind: 'scheduler', body }, { kind: 'power', body });
      notify.push({
        kind: 'event',
        severity: capping ? 'critical' : 'info',
        title: capping
          ? `cooling fault: capping ${wantedCaps.size} racks (${faults.join('; ')})`
          : 'cooling fault over: GPU power caps handed back',
        body,
      });
      this.capping = capping;
    }
    const wanted = new Set(writes.map((w) => w.pointId));
    for (const id of this.base.keys()) if (!wanted.has(id)) this.base.delete(id);
    return {
      active: faults.length > 0 || capping,
      writes,
      release: view.held.filter((id) => !wanted.has(id)),
      notify,
      summary: faults.length
        ? `${faults.join('; ')}${capping ? `; ${wantedCaps.size} racks capped` : ''}`
        : 'cooling normal',
      inputs,
    };
  }

  /**
   * Loss of chilled water, the supply temperature if lost. Warm supply alone is not a fault: a plant staging
   * chillers under a load step runs warm for minutes (the twin's full-hall ramp reaches 22 °C at a 12 °C
   * setpoint). It is lost when a chiller stopped (within chillerLostWindow) and supply is above setpoint +
   * chwMarginK, or supply stays above chwAlarmC for tripFor; it is over once supply is back within the margin.
   */
  private chilledWater(read: (id: string) => number | undefined, now: number): number | undefined {
    const chw = read(this.p(this.o.points.chwSupply));
    const sp = read(this.p(this.o.points.chwSetpoint));
    const running = read(this.p(this.o.points.chillersRunning));
    if (running !== undefined) {
      if (this.running !== undefined && running < this.running) this.chillerStoppedAt = now;
      this.running = running;
    }
    if (chw === undefined) return this.chwLost ? this.o.chwAlarmC : undefined; // bad reading: keep the state
    this.chwHighSince = chw > this.o.chwAlarmC ? (this.chwHighSince ?? now) : undefined;
    const aboveBand = sp !== undefined && chw > sp + this.o.chwMarginK;
    const stopped = now - this.chillerStoppedAt <= this.o.chillerLostWindow;
    if ((aboveBand && stopped) || (this.chwHighSince !== undefined && now - this.chwHighSince >= this.o.tripFor))
      this.chwLost = true;
    else if (sp !== undefined ? !aboveBand : chw <= this.o.chwAlarmC) this.chwLost = false;
    return this.chwLost ? chw : undefined;
  }

  private want(
    view: DecisionView,
    id: string,
    target: number,
    ratePerMin: number,
    why: string,
    now: number,
    kind: 'offset' | 'atLeast',
  ): WantedWrite | undefined {
    const cur = view.latest(id);
    let s = this.base.get(id);
    if (!s) {
      // the BMS's own value, taken once per fault and only from a good reading
      if (typeof cur.value !== 'number' || cur.quality !== 'good') return undefined;
      s = { base: cur.value, wanted: cur.value, at: now };
      this.base.set(id, s);
    }
    const goal = kind === 'offset' ? s.base + target : Math.max(target, s.base);
    s.wanted = approach(s.wanted, goal, ratePerMin, (now - s.at) / 60_000);
    s.at = now;
    return { pointId: id, value: s.wanted, reason: why, inputs: [cur] };
  }
}
