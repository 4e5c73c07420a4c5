import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hallSiteConfig, POINTS_PER_RACK, writeHallSite } from './hall-site';

describe('hall-scale site for the scale bench', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plenum-hall-site-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('gives exactly the points asked for, one inlet and one PDU power per rack, and loads as the backend does', () => {
    const site = writeHallSite(dir, 10_000, { intervalMs: 50, stepMs: 1000 });
    expect(site.points).toHaveLength(10_000);
    expect(site.racks).toBe(200);
    expect(site.halls).toBe(1);
    const inlets = site.points.filter((p) => p.quantity === 'temperature' && p.tags.includes('inlet'));
    const pduPower = site.points.filter((p) => p.quantity === 'power' && p.tags.includes('pdu'));
    expect(inlets).toHaveLength(200);
    expect(pduPower).toHaveLength(200);
    expect(new Set(inlets.map((p) => p.location.rack)).size).toBe(200);
    const sources = site.config.sources as Array<{ interval: number; options: { stepMs?: number } }>;
    expect(sources.map((s) => [s.interval, s.options.stepMs])).toEqual([
      [50, 1000],
      [50, 1000],
    ]);
  });

  it('fills halls up to racksPerHall and rows up to racksPerRow', () => {
    const site = writeHallSite(dir, 7 * POINTS_PER_RACK, { intervalMs: 1000, racksPerHall: 3, racksPerRow: 2 });
    expect(site.halls).toBe(3);
    expect(site.points).toHaveLength(350);
    const byHall = new Map<string, Set<string>>();
    for (const p of site.points) {
      const hall = p.location.hall ?? '';
      const racks = byHall.get(hall) ?? new Set<string>();
      racks.add(`${p.location.row}/${p.location.rack}`);
      byHall.set(hall, racks);
    }
    expect([...byHall].map(([h, r]) => [h, r.size])).toEqual([
      ['hall1', 3],
      ['hall2', 3],
      ['hall3', 1],
    ]);
  });

  it('refuses a point count that is not whole racks', () => {
    expect(() => hallSiteConfig(1234, { intervalMs: 50 })).toThrow(/multiple of 50/);
    expect(() => hallSiteConfig(0, { intervalMs: 50 })).toThrow(/positive multiple/);
  });
});
