/**
 * A `when` / `then` rule as a decider (pure, state kept between evaluations): while its trigger holds it wants its
 * writes (absolute, relative to the value when it fired, a ramp, or a Guideline 36 trim & respond reset) and power
 * caps, and it notifies once when it fires; when the trigger clears it hands its points back.
 */
import type { Action, RuleConfig } from '../config';
import type { Decider, Decision, DecisionView, Notification, WantedWrite } from '../decider';
import { TriggerState, type Firing } from './triggers';

const round = (v: number) => Math.round(v * 1000) / 1000;

/** The power-limit point of a rack (written through the Redfish-shaped BMC interface, not a connector). */
export function powerLimitPoint(site: string, hall: string, row: string, rack: string): string {
  return `${site}/${hall}/${row}/${rack}/gpu/power_limit`;
}

export class RuleDecider implements Decider {
  private readonly trigger?: TriggerState;
  private wasActive = false;
  private firedAt = 0;
  /** per point, the value when the rule fired (relative writes and ramps start from it) */
  private readonly base = new Map<string, number>();
  /** trim & respond: the reset setpoint per point and the last period it moved */
  private readonly reset = new Map<string, { value: number; slot: number }>();

  constructor(
    private readonly r: RuleConfig,
    private readonly site: string,
  ) {
    if (r.when) this.trigger = new TriggerState(r.when);
  }

  decide(view: DecisionView): Decision {
    const f: Firing = this.trigger
      ? this.trigger.evaluate(view)
      : { active: false, points: [], jobs: [], inputs: [], summary: 'no trigger' };
    const rising = f.active && !this.wasActive;
    if (rising) {
      this.firedAt = view.now;
      this.base.clear();
    }
    this.wasActive = f.active;
    const writes: WantedWrite[] = [];
    const notify: Notification[] = [];
    if (f.active) {
      this.r.then.forEach((a, i) => {
        writes.push(...this.wants(a, f, view));
        if (rising) notify.push(...this.notifications(a, i, f));
      });
    }
    // trim & respond runs whether the trigger fires or not: it is a continuous reset
    if (!this.trigger)
      this.r.then.forEach((a) => {
        if ('trimRespond' in a) writes.push(...this.wants(a, f, view));
      });
    const wanted = new Set(writes.map((w) => w.pointId));
    return {
      active: f.active || writes.length > 0,
      writes,
      release: view.held.filter((p) => !wanted.has(p)),
      notify,
      summary: `${f.summary}${writes.length ? `; wants ${writes.map((w) => `${w.pointId.split('/').slice(-2).join('/')}=${round(w.value)}`).join(', ')}` : ''}`,
      inputs: f.inputs,
    };
  }

  private wants(a: Action, f: Firing, view: DecisionView): WantedWrite[] {
    const reason = `rule ${this.r.id}: ${f.summary}`;
    if ('write' in a) {
      const w = a.write;
      return view.select(w.ids).flatMap((p) => {
        const cur = view.latest(p.id);
        if (typeof cur.value !== 'number') return [];
        if (!this.base.has(p.id)) this.base.set(p.id, cur.value);
        const base = this.base.get(p.id) as number;
        const value =
          w.value !== undefined
            ? w.value
            : w.relative !== undefined
              ? base + w.relative
              : base +
                ((w.ramp as { to: number; over: number }).to - base) *
                  Math.min(1, (view.now - this.firedAt) / (w.ramp as { over: number }).over);
        return [{ pointId: p.id, value, reason, inputs: [...f.points, cur] }];
      });
    }
    if ('trimRespond' in a) {
      const t = a.trimRespond;
      const requests = view
        .select(t.requests.ids)
        .map((p) => view.latest(p.id))
        .filter((i) => typeof i.value === 'number' && i.quality === 'good' && i.value > t.requests.above);
      const slot = Math.floor(view.now / t.period);
      return view.select(t.ids).flatMap((p) => {
        const cur = view.latest(p.id);
        if (typeof cur.value !== 'number') return [];
        const r = this.reset.get(p.id) ?? { value: cur.value, slot: slot - 1 };
        if (slot !== r.slot) {
          const n = Math.max(0, requests.length - t.ignore);
          const delta = n > 0 ? Math.sign(t.respond) * Math.min(t.maxRespond, Math.abs(t.respond) * n) : t.trim;
          const lo = t.min ?? view.limits(p.id)?.min ?? Number.NEGATIVE_INFINITY;
          const hi = t.max ?? view.limits(p.id)?.max ?? Number.POSITIVE_INFINITY;
          this.reset.set(p.id, { value: Math.min(hi, Math.max(lo, r.value + delta)), slot });
        }
        const value = (this.reset.get(p.id) as { value: number }).value;
        return [
          {
            pointId: p.id,
            value,
            reason: `rule ${this.r.id}: trim & respond, ${requests.length} request${requests.length === 1 ? '' : 's'} (${t.ignore} ignored)`,
            inputs: [...requests, cur],
          },
        ];
      });
    }
    if ('capRacks' in a) {
      const racks = new Map<string, { hall: string; row: string }>();
      const all = view.racks();
      const byId = (id: string, hall?: string) =>
        all.find((r) => r.id === id && (hall === undefined || r.hall === hall));
      if (a.capRacks.racks === 'job')
        for (const j of f.jobs)
          for (const id of j.racks) {
            const r = byId(id, j.hall);
            if (r) racks.set(id, r);
          }
      else
        for (const i of f.points) {
          const [, hall, row, rack] = i.pointId.split('/');
          if (hall && row && rack && rack !== '-') racks.set(rack, { hall, row });
        }
      return [...racks].map(([rack, r]) => ({
        pointId: powerLimitPoint(this.site, r.hall, r.row, rack),
        value: a.capRacks.kw,
        reason: `rule ${this.r.id}: cap ${rack} at ${a.capRacks.kw} kW (${f.summary})`,
        inputs: f.points,
      }));
    }
    return [];
  }

  private notifications(a: Action, index: number, f: Firing): Notification[] {
    const body = { rule: this.r.id, summary: f.summary, points: f.points, jobs: f.jobs };
    if ('event' in a) {
      const first = f.points[0];
      const title = a.event.title
        .replaceAll('{rule}', this.r.id)
        .replaceAll('{point}', first?.pointId ?? '')
        .replaceAll('{value}', typeof first?.value === 'number' ? String(round(first.value)) : '')
        .replaceAll('{rack}', first?.pointId.split('/')[3] ?? '');
      return [{ kind: 'event', title, severity: a.event.severity, body, action: index }];
    }
    if ('webhook' in a) return [{ kind: 'webhook', body, action: index }];
    if ('scheduler' in a) return [{ kind: 'scheduler', body, action: index }];
    return [];
  }
}
