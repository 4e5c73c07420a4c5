import * as path from 'node:path';
import { loadConfig } from '../../config/load';
import { HallModel } from '../model';
import { EFFECTIVE_COMMAND, SIM_NAMESPACE_URI, simNodes } from './address-space';

const t0 = Date.UTC(2025, 0, 1);

describe('the OPC UA address space against plenum.yaml', () => {
  const config = loadConfig(path.join(__dirname, '../../../../plenum.yaml'), { env: {} });
  const model = new HallModel({ startMs: t0, site: config.site, jobSchedule: 'none' });
  const nodes = simNodes(model.signals(), { racks: model.layout.racks.length, crahMaxAirflowM3s: 30 });
  const byNodeId = new Map(nodes.map((n) => [n.id, n]));
  const opcua = config.points.filter((p) => p.source.connector === 'opcua');

  it('serves every OPC UA point of plenum.yaml under the node id its address names, as the same point', () => {
    expect(opcua.length).toBeGreaterThan(100);
    const wrong = opcua.flatMap((p) => {
      const parts = new Map(
        p.source.address.split(';').map((part) => part.split('=', 2).map((x) => x.trim()) as [string, string]),
      );
      const node = byNodeId.get(parts.get('s') ?? '');
      if (parts.get('nsu') !== SIM_NAMESPACE_URI) return [`${p.id}: namespace ${parts.get('nsu')}`];
      if (!node) return [`${p.id}: no node s=${parts.get('s')}`];
      if (node.signal.id !== p.id) return [`${p.id}: node s=${node.id} is point ${node.signal.id}`];
      return [];
    });
    expect(wrong).toEqual([]);
  });

  it('declares writable exactly the points the simulator takes writes on, with the same range', () => {
    for (const p of opcua.filter((x) => x.writable)) {
      const sig = model.signals().find((s) => s.id === p.id);
      expect({ id: p.id, writable: sig?.writable, min: sig?.min, max: sig?.max }).toEqual({
        id: p.id,
        writable: true,
        min: p.min,
        max: p.max,
      });
    }
    // the plant's setpoint and the CDU pump are among them (the operator's levers besides the CRAH setpoints)
    expect(opcua.filter((p) => p.writable).map((p) => p.id)).toEqual(
      expect.arrayContaining(['sim/hall1/-/-/plant1/chw_setpoint', 'sim/hall1/-/-/cdu1/pump_speed_setpoint']),
    );
  });

  it('gives each override node the point it shows while relinquished', () => {
    const overrides = nodes.filter((n) => n.signal.relinquish);
    expect(overrides.length).toBe(2 * model.layout.crahs.length);
    for (const n of overrides) {
      expect(n.effectiveFrom).toBe(`${n.signal.assetPath}/${EFFECTIVE_COMMAND[n.signal.signal]}`);
      expect(model.signals().some((s) => s.id === n.effectiveFrom)).toBe(true);
    }
  });

  it('serves the BMS watchdog under <hall>.bms: heartbeat and lease writable with their ranges, the lease state', () => {
    const bms = nodes.filter((n) => n.path.join('.') === 'hall1.bms');
    expect(bms.map((n) => [n.id, n.signal.writable, n.range])).toEqual([
      ['hall1.bms.supervisor_heartbeat', true, { low: 0, high: 65_535 }],
      ['hall1.bms.supervisor_lease', true, { low: 5, high: 86_400 }],
      ['hall1.bms.supervisor_age', false, { low: 0, high: 86_400 }],
      ['hall1.bms.supervisor_status', false, { low: 0, high: 1 }],
      ['hall1.bms.leased_points', false, { low: 0, high: 27 }],
    ]);
    expect(bms.every((n) => n.effectiveFrom === undefined)).toBe(true);
  });
});
