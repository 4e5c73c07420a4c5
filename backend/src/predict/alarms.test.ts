import { AlarmBook, AlarmError, leadText } from './alarms';
import type { Finding } from './detectors';

const book = () =>
  new AlarmBook({ floodCount: 10, floodWindowMs: 600_000, maxShelveMs: 8 * 3_600_000, reopenWithinMs: 1_800_000 });
const finding = (asset: string, diagnosis: Finding['diagnosis'] = 'filter_clog'): Finding => ({
  asset,
  label: asset.split('/').pop() as string,
  diagnosis,
  confidence: 0.7,
  text: 'seen',
  evidence: [`${asset}/airflow`],
});
const lead = (mid: number) => ({
  mid,
  lo: mid * 0.7,
  hi: mid * 1.4,
  level: 25,
  slopePerMin: 0.1,
  limit: 'A05 inlet reaches 27 °C',
  pointId: 'p',
});

describe('AlarmBook (ISA-18.2)', () => {
  it('opens one alarm per asset and diagnosis, updates it, closes it when the finding goes', () => {
    const b = book();
    const f = finding('s/h/-/-/crah3');
    expect(b.update(0, [{ f }, { f }]).map((x) => x.kind)).toEqual(['open']);
    expect(b.update(10_000, [{ f }])).toEqual([]);
    // the lead appears: an update, at most once a minute
    expect(b.update(20_000, [{ f, lead: lead(40) }])).toEqual([]);
    const u = b.update(80_000, [{ f, lead: lead(10) }]);
    expect(u.map((x) => x.kind)).toEqual(['update']);
    expect(u[0]!.alarm.severity).toBe('critical'); // under 15 min to the limit
    expect(u[0]!.alarm.title).toContain('A05 inlet reaches 27 °C in ~10 min (7–14 min)');
    const c = b.update(90_000, []);
    expect(c.map((x) => x.kind)).toEqual(['close']);
    expect(c[0]!.alarm.closedAt).toBe(90_000);
    expect(b.list()).toEqual([]);
  });

  it('reopens the same alarm when it returns within reopenWithin (no chattering), a new one after', () => {
    const b = book();
    const f = finding('s/h/-/-/crah1');
    const first = b.update(0, [{ f }])[0]!.alarm;
    first.eventId = 7;
    b.update(10_000, []);
    const again = b.update(600_000, [{ f }]);
    expect(again.map((x) => x.kind)).toEqual(['reopen']);
    expect(again[0]!.alarm.eventId).toBe(7);
    expect(again[0]!.alarm.reopens).toBe(1);
    b.update(610_000, []);
    expect(b.update(610_000 + 1_900_000, [{ f }]).map((x) => x.kind)).toEqual(['open']);
  });

  it('suppresses non-critical alarms in a flood (> 10 in 10 min) and ends the flood with hysteresis', () => {
    const b = book();
    const fs = Array.from({ length: 14 }, (_, i) => ({ f: finding(`s/h/A/A${i}/env`, 'sensor_drift') }));
    const opened = b.update(0, fs);
    expect(opened).toHaveLength(14);
    expect(opened.slice(0, 10).every((x) => !x.alarm.suppressed)).toBe(true);
    expect(opened.slice(11).every((x) => x.alarm.suppressed)).toBe(true);
    expect(b.flood).toBe(true);
    // a critical one in the flood is still annunciated
    const trip = b.update(10_000, [...fs, { f: finding('s/h/-/-/crah2', 'crah_trip') }]);
    expect(trip[0]!.alarm.suppressed).toBe(false);
    expect(b.annunciated().some((a) => a.diagnosis === 'crah_trip')).toBe(true);
    b.update(700_000, []);
    expect(b.flood).toBe(false);
    expect(b.floodMs).toBe(700_000);
  });

  it('acknowledges and shelves by event id, within maxShelve; shelving ends by itself', () => {
    const b = book();
    const a = b.update(0, [{ f: finding('s/h/-/-/crah1') }])[0]!.alarm;
    a.eventId = 3;
    expect(b.ack(3, 'ops', 5).acked).toEqual({ by: 'ops', at: 5 });
    expect(() => b.shelve(3, 9 * 3_600_000, 0)).toThrow(AlarmError);
    expect(() => b.shelve(4, 60_000, 0)).toThrow(/no open prediction/);
    b.shelve(3, 60_000, 0);
    expect(b.annunciated()).toEqual([]);
    b.update(61_000, [{ f: finding('s/h/-/-/crah1') }]);
    expect(b.annunciated()).toHaveLength(1);
  });

  it('writes lead texts as operators read them', () => {
    expect(leadText(lead(14))).toBe('A05 inlet reaches 27 °C in ~14 min (10–20 min)');
    expect(leadText({ ...lead(0) })).toBe('A05 inlet at 27 °C now');
    expect(leadText({ ...lead(150) })).toMatch(/~2\.5 h/);
  });
});
