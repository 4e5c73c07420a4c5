// node-opcua (loaded by the faults suite's OPC UA target) loads hexy, an ES module jest does not transform
jest.mock('hexy', () => ({ hexy: (b: Buffer) => b.toString('hex') }));
import { summarise, type FaultRun } from './faults';

/** Runs of two UDP soaks side by side, one fault each per period; `sockets(i)` is the process' count at run i. */
function runs(n: number, sockets: (i: number) => number): FaultRun[] {
  const out: FaultRun[] = [];
  for (let i = 0; i < n; i++) {
    for (const connector of ['snmp', 'bacnet']) {
      out.push({
        connector,
        fault: 'drop',
        recoveryMs: 300,
        bad: 2,
        good: 0,
        proxyOpen: 0,
        timers: 10,
        udpSockets: sockets(i),
        udp: true,
        measuredAt: 1000 * i + (connector === 'snmp' ? 0 : 500),
      });
    }
  }
  // as the suite has them: one soak's runs after the other's
  return out.sort((a, b) => a.connector.localeCompare(b.connector));
}

const udpFigure = (r: FaultRun[]) =>
  summarise(r, [100, 100, 100], undefined).find((f) => f.name.startsWith('faults: UDP sockets'));

describe('faults summary: UDP sockets', () => {
  it('a socket open for a moment at the end (another soak restarting its device) is no growth', () => {
    expect(udpFigure(runs(9, (i) => (i === 8 ? 47 : 46)))).toMatchObject({ measured: '46 → 46', ok: true });
  });

  it('a socket left open by every fault is growth', () => {
    expect(udpFigure(runs(9, (i) => 46 + i))).toMatchObject({ measured: '46 → 52', ok: false });
  });
});
