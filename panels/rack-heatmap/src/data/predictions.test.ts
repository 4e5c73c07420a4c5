import { DataFrame, FieldType, toDataFrame } from '@grafana/data';
import { DEFAULT_OPTIONS, RackHeatmapOptions } from '../types';
import { findLayout, findValueSources } from './fields';
import { joinRacks } from './join';
import { buildFloorModel } from './model';
import {
  findPredictions,
  joinPredictions,
  leadFromMinutes,
  RANK_CRITICAL,
  RANK_INFO,
  RANK_NONE,
  RANK_WARNING,
  severityRank,
} from './predictions';

const layout = toDataFrame({
  name: 'layout',
  fields: [
    { name: 'rack', type: FieldType.string, values: ['A01', 'A02', 'A03', 'A01'] },
    { name: 'hall', type: FieldType.string, values: ['hall1', 'hall1', 'hall1', 'hall2'] },
    { name: 'x', type: FieldType.number, values: [1, 2, 3, 1] },
    { name: 'y', type: FieldType.number, values: [1, 1, 1, 1] },
  ],
});
const values = toDataFrame({
  name: 'values',
  fields: [
    { name: 'rack', type: FieldType.string, values: ['A01', 'A02', 'A03', 'A01'] },
    { name: 'hall', type: FieldType.string, values: ['hall1', 'hall1', 'hall1', 'hall2'] },
    { name: 'value', type: FieldType.number, values: [22, 23, 24, 25] },
  ],
});

interface Row {
  rack: string | null;
  hall?: string | null;
  severity: string;
  title: string;
  lead?: string;
  diagnosis?: string;
  type?: string;
  time?: number;
  timeEnd?: number | null;
}

/** The frame Plenum's events query returns for `types: ['prediction']` (backend/src/query/events.ts). */
function eventsFrame(rows: Row[]): DataFrame {
  const col = <K extends keyof Row>(k: K, fallback: Row[K]) => rows.map((r) => (k in r ? r[k] : fallback));
  return toDataFrame({
    name: 'events',
    refId: 'P',
    fields: [
      { name: 'time', type: FieldType.time, values: rows.map((r, i) => r.time ?? 1000 + i) },
      { name: 'timeEnd', type: FieldType.time, values: col('timeEnd', null) },
      { name: 'title', type: FieldType.string, values: col('title', '') },
      { name: 'text', type: FieldType.string, values: rows.map(() => 'evidence') },
      { name: 'tags', type: FieldType.other, values: rows.map(() => ['prediction']) },
      { name: 'type', type: FieldType.string, values: col('type', 'prediction') },
      { name: 'severity', type: FieldType.string, values: col('severity', 'info') },
      { name: 'hall', type: FieldType.string, values: col('hall', 'hall1') },
      { name: 'rack', type: FieldType.string, values: col('rack', null) },
      { name: 'source', type: FieldType.string, values: rows.map(() => 'predict') },
      { name: 'id', type: FieldType.number, values: rows.map((_, i) => 100 + i) },
      { name: 'asset', type: FieldType.string, values: rows.map((r) => `${r.rack}/env`) },
      { name: 'diagnosis', type: FieldType.string, values: col('diagnosis', '') },
      { name: 'lead', type: FieldType.string, values: col('lead', '') },
      { name: 'confidence', type: FieldType.number, values: rows.map(() => 0.8) },
    ],
  });
}

const DRIFT: Row = {
  rack: 'A02',
  severity: 'critical',
  diagnosis: 'sensor_drift',
  title: 'A02: sensor drift — A02 inlet reaches 27 °C in ~14 min (10–19 min)',
  lead: 'A02 inlet reaches 27 °C in ~14 min (10–19 min)',
};

function joined(frames: DataFrame[]) {
  const found = findLayout(frames, DEFAULT_OPTIONS.fields)!;
  const predictions = findPredictions(frames, '', found.frame)!;
  const table = joinRacks(found, findValueSources([layout, values], found, DEFAULT_OPTIONS.fields), '');
  return { table, predictions: joinPredictions(table, predictions) };
}

describe('findPredictions', () => {
  it('finds an events frame of predictions beside the layout and values, and not the layout or values', () => {
    const events = eventsFrame([DRIFT]);
    const found = findPredictions([layout, values, events], '', layout);
    expect(found?.frame).toBe(events);
    expect([
      found?.rack.name,
      found?.severity.name,
      found?.lead?.name,
      found?.timeEnd?.name,
      found?.time?.name,
    ]).toEqual(['rack', 'severity', 'lead', 'timeEnd', 'time']);
    expect(findPredictions([layout, values], '', layout)).toBeUndefined();
  });

  it('needs a rack, a severity and something to say', () => {
    const frame = (names: string[]) =>
      toDataFrame({ fields: names.map((name) => ({ name, type: FieldType.string, values: ['A01'] })) });
    expect(findPredictions([frame(['rack', 'severity'])])).toBeUndefined();
    expect(findPredictions([frame(['rack', 'title'])])).toBeUndefined();
    expect(findPredictions([frame(['severity', 'title'])])).toBeUndefined();
    expect(findPredictions([frame(['rack_id', 'priority', 'summary'])])?.title?.name).toBe('summary');
  });
});

describe('joinPredictions', () => {
  it('marks each rack by its most severe open prediction, joined on hall and rack, and lists them in order', () => {
    const { predictions: p } = joined([
      layout,
      values,
      eventsFrame([
        { rack: 'A02', severity: 'warning', title: 'A02: recirculation', diagnosis: 'recirculation', time: 5000 },
        DRIFT,
        { rack: 'A01', hall: 'hall2', severity: 'info', title: 'A01: meter fault', diagnosis: 'meter_fault' },
      ]),
    ]);
    expect([...p.rank]).toEqual([RANK_NONE, RANK_CRITICAL, RANK_NONE, RANK_INFO]);
    expect(p.racksByRank).toEqual([0, 1, 0, 1]);
    expect(p.byRack[1]!.map((x) => [x.severity, x.diagnosis, x.lead])).toEqual([
      ['critical', 'sensor drift', 'inlet reaches 27 °C in ~14 min (10–19 min)'],
      ['warning', 'recirculation', ''],
    ]);
    expect(p.byRack[1]![1]!.title).toBe('recirculation');
    expect(p.byRack[3]![0]!.row).toBe(2);
  });

  it('leaves out closed predictions, other event types and rows naming no rack or one not on the floor', () => {
    const { predictions: p } = joined([
      layout,
      eventsFrame([
        { ...DRIFT, timeEnd: 9000 },
        { ...DRIFT, rack: 'A01', type: 'alarm' },
        { ...DRIFT, rack: null, title: 'crah4: crah trip' },
        { ...DRIFT, rack: 'Z99' },
        { ...DRIFT, rack: 'A03' },
      ]),
    ]);
    expect([...p.rank]).toEqual([RANK_NONE, RANK_NONE, RANK_CRITICAL, RANK_NONE]);
    expect(p.byRack.flat().map((x) => x.row)).toEqual([4]);
  });

  it('joins on the rack alone, in every hall, when the prediction names no hall', () => {
    const { predictions: p } = joined([layout, eventsFrame([{ ...DRIFT, rack: 'A01', hall: null }])]);
    expect([...p.rank]).toEqual([RANK_CRITICAL, RANK_NONE, RANK_NONE, RANK_CRITICAL]);
  });

  it('reads another source’s table: numeric lead in minutes with its interval, its own severity words', () => {
    const other = toDataFrame({
      fields: [
        { name: 'rack_id', type: FieldType.string, values: ['A03', 'A01'] },
        { name: 'priority', type: FieldType.string, values: ['High', 'minor'] },
        { name: 'summary', type: FieldType.string, values: ['Inlet trending up', 'Fan wear'] },
        { name: 'lead_min', type: FieldType.number, values: [42.4, 150] },
        { name: 'lead_lo', type: FieldType.number, values: [30, 100] },
        { name: 'lead_hi', type: FieldType.number, values: [61, 200] },
      ],
    });
    const { predictions: p } = joined([layout, other]);
    expect([...p.rank]).toEqual([RANK_WARNING, RANK_NONE, RANK_CRITICAL, RANK_WARNING]);
    expect(p.byRack[2]![0]).toMatchObject({ title: 'Inlet trending up', lead: 'in ~42 min (30–61 min)' });
    expect(p.byRack[0]![0]!.lead).toBe('in ~2.5 h (1.7 h–3.3 h)');
  });
});

describe('severity and lead text', () => {
  it('ranks Plenum’s severities and common words of other tools', () => {
    expect(['critical', 'warning', 'info', 'HIGH', 'warn', 'whatever'].map(severityRank)).toEqual([
      RANK_CRITICAL,
      RANK_WARNING,
      RANK_INFO,
      RANK_CRITICAL,
      RANK_WARNING,
      RANK_INFO,
    ]);
  });

  it('writes minutes as the backend writes them', () => {
    expect(leadFromMinutes(14.2, 9.6, 19.4)).toBe('in ~14 min (10–19 min)');
    expect(leadFromMinutes(0.5, 0.1, 3)).toBe('in ~<1 min (0–3 min)');
    expect(leadFromMinutes(-1, NaN, NaN)).toBe('at the limit now');
    expect(leadFromMinutes(20, NaN, NaN)).toBe('in ~20 min');
    expect(leadFromMinutes(NaN, 1, 2)).toBe('');
  });
});

describe('floor model with predictions', () => {
  const options = (show: boolean): RackHeatmapOptions => ({ ...DEFAULT_OPTIONS, predictions: { show } });

  it('never colours by the predictions frame’s numbers, and joins it when the option is on', () => {
    const frames = [layout, values, eventsFrame([DRIFT])];
    const on = buildFloorModel(frames, options(true));
    const off = buildFloorModel(frames, options(false));
    if (!('model' in on) || !('model' in off)) {
      throw new Error('no model');
    }
    expect(on.model.table.channels.map((c) => c.name)).toEqual(['value']);
    expect(off.model.table.channels.map((c) => c.name)).toEqual(['value']);
    expect([...on.model.predictions!.rank]).toEqual([RANK_NONE, RANK_CRITICAL, RANK_NONE, RANK_NONE]);
    expect(off.model.predictions).toBeUndefined();
  });

  it('has no predictions without such a frame', () => {
    const result = buildFloorModel([layout, values], options(true));
    expect('model' in result && result.model.predictions).toBeUndefined();
  });
});
