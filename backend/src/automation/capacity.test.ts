import { openTestBed, type TestBed } from '../testing/fixture';
import { capacityCheck, findRack, powerHeadroom } from './capacity';
import { AutomationSchema } from './config';

// TEST_SITE: racks A01 and A02 of hall h1, each rated 100 kW, each with a PDU power point and a CRAH fan
const PDU = (rack: string) => `s/h1/A/${rack}/pdu/power`;
const FAN = 's/h1/-/-/crah1/fan_speed';
const capacity = (c: Record<string, unknown>) => AutomationSchema.parse({ capacity: c });

describe('capacity check and power headroom', () => {
  let bed: TestBed;
  const read = async (values: Record<string, number>, quality: 'good' | 'bad' = 'good') =>
    bed.ingest.store(Object.entries(values).map(([pointId, value]) => ({ pointId, value, quality, ts: Date.now() })));

  beforeEach(() => {
    bed = openTestBed();
  });
  afterEach(() => bed.close());

  it('answers ok within the rack ratings, with each rack before and after', async () => {
    await read({ [PDU('A01')]: 20, [PDU('A02')]: 90 });
    const a = capacityCheck(bed.ctx, undefined, { racks: ['A01'], kwPerRack: 60 });
    expect(a).toMatchObject({
      ok: true,
      reasons: [],
      racks: [{ rack: 'A01', hall: 'h1', ratedKw: 100, currentKw: 20, afterKw: 60, headroomKw: 40 }],
      feeds: [],
      cooling: { addedKw: 40 },
    });
    // a rack already drawing more than the job asks keeps its draw
    expect(capacityCheck(bed.ctx, undefined, { racks: ['A02'], kwPerRack: 60 }).racks[0]).toMatchObject({
      afterKw: 90,
      headroomKw: 10,
    });
  });

  it('refuses above a rack rating, on an unknown PDU reading, and names an unknown rack', async () => {
    await read({ [PDU('A01')]: 20 });
    await read({ [PDU('A02')]: 50 }, 'bad');
    const a = capacityCheck(bed.ctx, undefined, { racks: ['A01', 'A02'], kwPerRack: 120 });
    expect(a.ok).toBe(false);
    expect(a.reasons).toEqual([
      'rack A01: 120 kW expected, above its 100 kW rating',
      'rack A02: 120 kW expected, above its 100 kW rating',
      'rack A02: its PDU power is unknown (no good reading)',
    ]);
    expect(() => capacityCheck(bed.ctx, undefined, { racks: ['A01', 'Z9'], kwPerRack: 10 })).toThrow(
      'body.racks[1]: no rack "Z9"',
    );
    expect(() => capacityCheck(bed.ctx, undefined, { racks: ['A01'], kwPerRack: 10, hall: 'h2' })).toThrow(
      'body.racks[0]: no rack "A01" in hall h2',
    );
  });

  it('counts every rack on a feed, and refuses what would take the feed past its rating less the margin', async () => {
    await read({ [PDU('A01')]: 30, [PDU('A02')]: 70 });
    const cfg = capacity({ feeds: [{ id: 'busway-a', racks: ['A*'], ratedKw: 180 }], feedMargin: 0.1 });
    const ok = capacityCheck(bed.ctx, cfg, { racks: ['A01'], kwPerRack: 60 });
    // 30 + 70 now; A01 goes 30 → 60: 130 of the 162 kW the feed may carry
    expect(ok).toMatchObject({
      ok: true,
      feeds: [{ feed: 'busway-a', ratedKw: 180, loadKw: 100, afterKw: 130, headroomKw: 32, racks: ['A01'] }],
    });
    const no = capacityCheck(bed.ctx, cfg, { racks: ['A01'], kwPerRack: 95 });
    expect(no.ok).toBe(false);
    expect(no.reasons).toEqual(['feed busway-a: would carry 165 kW, above 162 kW (180 kW less 10 %)']);
    // a feed the racks are not on says nothing
    const other = capacity({ feeds: [{ id: 'busway-b', racks: ['B*'], ratedKw: 10 }] });
    expect(capacityCheck(bed.ctx, other, { racks: ['A01'], kwPerRack: 95 })).toMatchObject({ ok: true, feeds: [] });
  });

  it('calls a feed whose racks are not all read unknown, not free', async () => {
    await read({ [PDU('A01')]: 30 });
    const cfg = capacity({ feeds: [{ id: 'busway-a', racks: ['A01', 'A02'], ratedKw: 500 }] });
    const a = capacityCheck(bed.ctx, cfg, { racks: ['A01'], kwPerRack: 50 });
    expect(a.feeds).toEqual([
      { feed: 'busway-a', ratedKw: 500, loadKw: null, afterKw: null, headroomKw: null, racks: ['A01'] },
    ]);
    expect(a.reasons).toContain('feed busway-a: its load is unknown (a rack on it has no good reading)');
  });

  it('keeps a CRAH fan reserve and the plant margin', async () => {
    await read({ [PDU('A01')]: 10, [FAN]: 95 });
    const a = capacityCheck(bed.ctx, capacity({ fans: 's/h1/-/-/crah*/fan_speed' }), { racks: ['A01'], kwPerRack: 50 });
    expect(a.reasons).toEqual(['cooling: a CRAH fan runs at 95 %, above the 90 % kept in reserve']);
    expect(a.cooling).toMatchObject({ fanMaxPct: 95, fanLimitPct: 90, addedKw: 40 });
  });

  it('gives power management the headroom of a job start (with the job) and an end (as drawn now)', async () => {
    await read({ [PDU('A01')]: 30, [PDU('A02')]: 70 });
    const cap = capacity({ feeds: [{ id: 'busway-a', racks: ['A*'], ratedKw: 300 }] }).capacity;
    const racks = [findRack(bed.ctx, 'A01', undefined, 'racks')];
    expect(powerHeadroom(bed.ctx, cap, racks, 80)).toEqual({
      racks: [{ rack: 'A01', hall: 'h1', ratedKw: 100, currentKw: 30, afterKw: 80, headroomKw: 20 }],
      feeds: [{ feed: 'busway-a', ratedKw: 300, loadKw: 100, afterKw: 150, headroomKw: 150, racks: ['A01'] }],
    });
    expect(powerHeadroom(bed.ctx, cap, racks).feeds[0]).toMatchObject({ afterKw: 100, headroomKw: 200 });
  });
});
