import fs from 'node:fs';
import { decodeBody, encodeBody, Spool, type SpooledSample } from './spool';
import { tmpDir } from './testkit';

const rows = (n: number, rack = 'A01'): SpooledSample[] =>
  Array.from({ length: n }, (_, i): SpooledSample => [
    `sim/hall1/A/${rack}/srv${i}/power`,
    1_764_000_000_000 + i,
    i * 1.5,
    i % 3 === 0 ? 'good' : i % 3 === 1 ? 'uncertain' : 'bad',
  ]);

describe('spool', () => {
  let dir: string;
  beforeEach(() => (dir = tmpDir()));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('stores entries compactly and gives them back as they were, in order, across a reopen', () => {
    const a = rows(40);
    const text = encodeBody(a);
    expect(decodeBody(text)).toEqual(a);
    expect(text.length / a.length).toBeLessThan(30);
    expect(
      decodeBody(
        encodeBody([
          ['x', 1, true, 'good'],
          ['x', 2, 'on', 'bad'],
        ]),
      ),
    ).toEqual([
      ['x', 1, true, 'good'],
      ['x', 2, 'on', 'bad'],
    ]);
    const s = new Spool(dir, 1 << 20);
    s.append([
      { device: 'A:A01', samples: a },
      { device: 'A:A02', samples: rows(3, 'A02') },
      { device: 'empty', samples: [] },
    ]);
    s.close();
    const t = new Spool(dir, 1 << 20);
    const got = t.read(0, 10);
    expect(got.map((e) => [e.device, e.samples.length])).toEqual([
      ['A:A01', 40],
      ['A:A02', 3],
    ]);
    expect(got[0]!.samples).toEqual(a);
    expect(t.stats()).toMatchObject({ entries: 2, dropped: 0 });
    t.delete([got[0]!.id]);
    expect(t.read(0, 10).map((e) => e.device)).toEqual(['A:A02']);
    expect(t.lastId()).toBe(got[1]!.id);
    t.close();
  });

  it('drops the oldest above its bound and counts their samples, durably', () => {
    const one = Buffer.byteLength(encodeBody(rows(10)));
    const s = new Spool(dir, one * 3);
    for (let i = 0; i < 5; i++) s.append([{ device: `d${i}`, samples: rows(10) }]);
    expect(s.read(0, 10).map((e) => e.device)).toEqual(['d2', 'd3', 'd4']);
    expect(s.stats()).toEqual({ entries: 3, bytes: one * 3, dropped: 20 });
    s.close();
    const t = new Spool(dir, one * 3);
    expect(t.stats().dropped).toBe(20);
    t.close();
  });

  it('hands out bdSeq 0, 1, … 255, 0 and keeps it across reopen', () => {
    const s = new Spool(dir, 1000);
    const got = Array.from({ length: 257 }, () => s.nextBdSeq());
    expect(got.slice(0, 3)).toEqual([0, 1, 2]);
    expect(got.slice(254)).toEqual([254, 255, 0]);
    s.close();
    const t = new Spool(dir, 1000);
    expect(t.nextBdSeq()).toBe(1);
    t.close();
  });

  it('keeps per point the newest sample time spooled, across delivery, drops and reopen', () => {
    const s = new Spool(dir, 1_000_000);
    expect(s.newestTs()).toBeUndefined();
    s.append([
      {
        device: 'A:A01',
        samples: [
          ['sim/hall1/A/A01/pdu/power', 1000, 1, 'good'],
          ['sim/hall1/A/A01/pdu/power', 3000, 2, 'good'],
          ['sim/hall1/A/A01/env/inlet_temp', 2000, 20, 'bad'],
        ],
      },
      { device: 'A:A02', samples: [['sim/hall1/A/A02/pdu/power', 2500, 3, 'good']] },
    ]);
    // a late sample does not move a mark back
    s.append([{ device: 'A:A01', samples: [['sim/hall1/A/A01/pdu/power', 1500, 4, 'good']] }]);
    s.delete(s.read(0, 100).map((e) => e.id));
    expect(s.stats().entries).toBe(0);
    s.close();
    const t = new Spool(dir, 1_000_000);
    expect(t.mark('A:A01', 'sim/hall1/A/A01/pdu/power')).toBe(3000);
    expect(t.mark('A:A01', 'sim/hall1/A/A01/env/inlet_temp')).toBe(2000);
    expect(t.mark('A:A02', 'sim/hall1/A/A02/pdu/power')).toBe(2500);
    expect(t.mark('A:A02', 'sim/hall1/A/A01/pdu/power')).toBeUndefined();
    expect(t.newestTs()).toBe(3000);
    t.close();
  });
});
