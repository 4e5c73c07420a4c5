/**
 * Alarm hygiene after ISA-18.2 (pure): one alarm per asset and diagnosis, opened, updated and closed as the
 * detectors' findings come and go (the detectors already apply on/off delays and hysteresis). An alarm back within
 * `reopenWithin` of clearing reopens the same alarm (no chattering); an operator may acknowledge it or shelve it
 * for at most `maxShelve`; more than `floodCount` new alarms within `floodWindow` is a flood, during which new
 * alarms below critical are recorded but suppressed (not annunciated) until the rate falls again.
 */
import type { Severity } from '@plenum/model';
import { DIAGNOSES, type Diagnosis } from './diagnoses';
import type { Finding } from './detectors';
import type { TimeToLimit } from './stats';

export interface Lead extends TimeToLimit {
  /** what the lead time is to: "27 °C inlet" */
  limit: string;
  /** the point that gets there first */
  pointId: string;
}

export interface Alarm {
  key: string;
  asset: string;
  label: string;
  diagnosis: Diagnosis;
  pointId?: string;
  severity: Severity;
  title: string;
  text: string;
  action: string;
  confidence: number;
  evidence: string[];
  lead?: Lead;
  /** Unix ms */
  since: number;
  updatedAt: number;
  closedAt?: number;
  /** the prediction event that carries it (set by whoever stores it) */
  eventId?: number;
  acked?: { by: string; at: number };
  shelvedUntil?: number;
  /** opened during a flood: recorded, not annunciated */
  suppressed: boolean;
  /** times it came back within reopenWithin of clearing */
  reopens: number;
}

export type Transition = { kind: 'open' | 'update' | 'close' | 'reopen'; alarm: Alarm };

export interface AlarmOptions {
  floodCount: number;
  floodWindowMs: number;
  maxShelveMs: number;
  reopenWithinMs: number;
}

export class AlarmError extends Error {}

const minutes = (m: number) => (m < 1 ? '<1 min' : m < 90 ? `${Math.round(m)} min` : `${(m / 60).toFixed(1)} h`);

/** "A05 inlet reaches 27 °C in ~14 min (10–19 min)" */
export function leadText(l: Lead): string {
  if (l.mid <= 0) return `${l.limit.replace(' reaches ', ' at ')} now`;
  const range = l.hi < 90 ? `${Math.round(l.lo)}–${Math.round(l.hi)} min` : `${minutes(l.lo)}–${minutes(l.hi)}`;
  return `${l.limit} in ~${minutes(l.mid)} (${range})`;
}

export class AlarmBook {
  private readonly open = new Map<string, Alarm>();
  private readonly recent = new Map<string, Alarm>();
  private readonly opens: number[] = [];
  flood = false;
  /** ms spent in flood, for the figures */
  floodMs = 0;
  private lastT?: number;

  constructor(private readonly o: AlarmOptions) {}

  get options(): AlarmOptions {
    return this.o;
  }

  /** Applies one evaluation's findings (with their lead times); returns what changed. */
  update(t: number, findings: readonly { f: Finding; lead?: Lead }[]): Transition[] {
    if (this.flood && this.lastT !== undefined) this.floodMs += t - this.lastT;
    this.lastT = t;
    const out: Transition[] = [];
    const seen = new Set<string>();
    for (const { f, lead } of findings) {
      const key = `${f.asset}|${f.diagnosis}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const info = DIAGNOSES[f.diagnosis];
      // a lead time under 15 minutes (or a limit already passed) makes any prediction critical
      const severity: Severity = lead && lead.mid < 15 ? 'critical' : info.severity;
      const title = `${f.label}: ${f.diagnosis.replace(/_/g, ' ')}${lead ? ` — ${leadText(lead)}` : ''}`;
      // what the finding says now: an open or returning alarm takes it over
      const now = { severity, title, text: f.text, confidence: f.confidence, evidence: f.evidence, lead };
      const cur = this.open.get(key);
      if (cur) {
        const changed =
          cur.severity !== severity ||
          Math.abs((cur.lead?.mid ?? -1) - (lead?.mid ?? -1)) > Math.max(2, 0.2 * (cur.lead?.mid ?? 0));
        Object.assign(cur, now, { pointId: f.pointId });
        // updates at most once a minute: an event store row is rewritten, not a new one added
        if (changed && t - cur.updatedAt >= 60_000) {
          cur.updatedAt = t;
          out.push({ kind: 'update', alarm: cur });
        }
        continue;
      }
      const back = this.recent.get(key);
      if (back && back.closedAt !== undefined && t - back.closedAt <= this.o.reopenWithinMs) {
        this.recent.delete(key);
        Object.assign(back, now, {
          updatedAt: t,
          closedAt: undefined,
          reopens: back.reopens + 1,
        });
        this.open.set(key, back);
        out.push({ kind: 'reopen', alarm: back });
        continue;
      }
      this.opens.push(t);
      while (this.opens.length && (this.opens[0] as number) < t - this.o.floodWindowMs) this.opens.shift();
      if (!this.flood && this.opens.length > this.o.floodCount) this.flood = true;
      const alarm: Alarm = {
        key,
        asset: f.asset,
        label: f.label,
        diagnosis: f.diagnosis,
        ...(f.pointId && { pointId: f.pointId }),
        severity,
        title,
        text: f.text,
        action: info.action,
        confidence: f.confidence,
        evidence: f.evidence,
        ...(lead && { lead }),
        since: t,
        updatedAt: t,
        suppressed: this.flood && severity !== 'critical',
        reopens: 0,
      };
      this.open.set(key, alarm);
      out.push({ kind: 'open', alarm });
    }
    for (const [key, a] of this.open) {
      if (seen.has(key)) continue;
      a.closedAt = t;
      a.updatedAt = t;
      this.open.delete(key);
      this.recent.set(key, a);
      out.push({ kind: 'close', alarm: a });
    }
    for (const [key, a] of this.recent) if (t - (a.closedAt ?? t) > this.o.reopenWithinMs) this.recent.delete(key);
    for (const a of this.open.values()) if (a.shelvedUntil !== undefined && a.shelvedUntil <= t) delete a.shelvedUntil;
    while (this.opens.length && (this.opens[0] as number) < t - this.o.floodWindowMs) this.opens.shift();
    // the flood ends when the rate is back below half the threshold (hysteresis)
    if (this.flood && this.opens.length <= this.o.floodCount / 2) this.flood = false;
    return out;
  }

  list(): Alarm[] {
    return [...this.open.values()];
  }

  byEvent(eventId: number): Alarm | undefined {
    for (const a of this.open.values()) if (a.eventId === eventId) return a;
    return undefined;
  }

  ack(eventId: number, by: string, t: number): Alarm {
    const a = this.find(eventId);
    a.acked = { by, at: t };
    return a;
  }

  shelve(eventId: number, forMs: number, t: number): Alarm {
    if (!(forMs > 0) || forMs > this.o.maxShelveMs)
      throw new AlarmError(
        `duration: ${forMs} ms is out of range; expected more than 0 and at most ${this.o.maxShelveMs} ms (prediction.alarms.maxShelve)`,
      );
    const a = this.find(eventId);
    a.shelvedUntil = t + forMs;
    return a;
  }

  unshelve(eventId: number): Alarm {
    const a = this.find(eventId);
    delete a.shelvedUntil;
    return a;
  }

  /** open, not shelved, not suppressed: what goes to Alertmanager and the NOC wall */
  annunciated(): Alarm[] {
    return this.list().filter((a) => !a.suppressed && a.shelvedUntil === undefined);
  }

  private find(eventId: number): Alarm {
    const a = this.byEvent(eventId);
    if (!a)
      throw new AlarmError(
        `prediction ${eventId}: no open prediction with this event id; GET /api/predictions lists them`,
      );
    return a;
  }
}
