import { TEST_POINTS, TEST_SITE } from '../testing/site';
import { Catalog } from '../catalog/catalog';
import { labelsObject } from '../promql/labels';
import { pointLabels } from '../promql/series-model';
import { exportedPoints, wireSamples, type QueuedSample } from './series';
import { bitsValue, isStaleNaN } from './write-request';

const catalog = new Catalog(TEST_SITE, TEST_POINTS);
const select = catalog.select.bind(catalog);
const opts = { externalLabels: { edge: 'hall1-edge' }, qualitySeries: true };
const obj = (l: ReadonlyArray<{ name: string; value: string }>) => Object.fromEntries(l.map((x) => [x.name, x.value]));

describe('points → remote-write series', () => {
  it("uses the PromQL API's names and labels, plus the external labels, sorted", () => {
    const pts = exportedPoints(select, undefined, opts);
    const inlet = TEST_POINTS.find((p) => p.id === 's/h1/A/A01/env/inlet_temp')!;
    const e = pts.get(inlet.id)!;
    expect(obj(e.value.labels)).toEqual({ ...labelsObject(pointLabels(inlet)), edge: 'hall1-edge' });
    expect(obj(e.value.labels)).toEqual({
      __name__: 'plenum_temperature_celsius',
      edge: 'hall1-edge',
      site: 's',
      hall: 'h1',
      row: 'A',
      rack: 'A01',
      asset: 'env',
      signal: 'inlet_temp',
      quantity: 'temperature',
      unit: 'celsius',
      domain: 'OT',
      kind: 'measurement',
      tags: ',inlet,temp,',
      point: 's/h1/A/A01/env/inlet_temp',
    });
    const names = e.value.labels.map((l) => l.name);
    expect(names).toEqual([...names].sort());
    expect(obj(e.quality!.labels)).toMatchObject({ __name__: 'plenum_quality', metric: 'plenum_temperature_celsius' });
    // a hall-level asset has no row or rack label
    const crah = obj(pts.get('s/h1/-/-/crah1/fan_speed')!.value.labels);
    expect(crah.row).toBeUndefined();
    expect(crah.rack).toBeUndefined();
  });

  it('sends the points the selector picks', () => {
    const pts = exportedPoints(select, { quantity: ['power'] }, opts);
    expect([...pts.keys()]).toEqual(['s/h1/A/A01/pdu/power', 's/h1/A/A02/pdu/power']);
    expect(exportedPoints(select, { rack: ['A02'], kind: ['status'] }, opts).size).toBe(1);
  });

  it('bad → stale marker and quality 2; uncertain → value and 1; booleans 0/1; no quality series when off', () => {
    const pts = exportedPoints(select, undefined, opts);
    const out: QueuedSample[] = [];
    const p = pts.get('s/h1/A/A01/env/inlet_temp')!;
    wireSamples(p, 1000.4, 21.5, 'good', out);
    wireSamples(p, 2000, 99, 'bad', out);
    wireSamples(p, 3000, 22, 'uncertain', out);
    wireSamples(pts.get('s/h1/A/A01/pdu/breaker')!, 4000, true, 'good', out);
    const read = out.map((s) => ({
      key: s.key,
      ts: s.ts,
      v: isStaleNaN(s.lo, s.hi) ? 'stale' : bitsValue(s.lo, s.hi),
    }));
    expect(read).toEqual([
      { key: 'v:s/h1/A/A01/env/inlet_temp', ts: 1000, v: 21.5 },
      { key: 'q:s/h1/A/A01/env/inlet_temp', ts: 1000, v: 0 },
      { key: 'v:s/h1/A/A01/env/inlet_temp', ts: 2000, v: 'stale' },
      { key: 'q:s/h1/A/A01/env/inlet_temp', ts: 2000, v: 2 },
      { key: 'v:s/h1/A/A01/env/inlet_temp', ts: 3000, v: 22 },
      { key: 'q:s/h1/A/A01/env/inlet_temp', ts: 3000, v: 1 },
      { key: 'v:s/h1/A/A01/pdu/breaker', ts: 4000, v: 1 },
      { key: 'q:s/h1/A/A01/pdu/breaker', ts: 4000, v: 0 },
    ]);
    const noQ = exportedPoints(select, undefined, { externalLabels: {}, qualitySeries: false });
    const out2: QueuedSample[] = [];
    wireSamples(noQ.get('s/h1/A/A01/env/inlet_temp')!, 1000, 1, 'bad', out2);
    expect(out2.map((s) => s.key)).toEqual(['v:s/h1/A/A01/env/inlet_temp']);
  });
});
