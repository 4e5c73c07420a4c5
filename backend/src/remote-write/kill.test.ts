import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../config/load';
import { CONNECTOR_NAMES } from '../connectors/all';
import { openHistorian } from '../historian/historian';
import { startBackend, type Proc } from '../testing/processes';
import { startVictoriaMetrics, victoriaMetricsAvailable, type Peer } from './peers';
import type { RemoteWriteStatus } from './index';
import {
  edgeConfigYaml,
  expectedFromHistorian,
  mismatches,
  readVictoria,
  sampleCount,
  until,
  type SeriesSamples,
} from './testkit';

/**
 * kill -9 of the edge during a receiver outage: the backend runs as its own process (`backend/src/main.ts`) with a
 * generator storing 4 racks × 3 points every 50 ms and remote write to Debian's VictoriaMetrics. The receiver is
 * stopped; the edge is killed with SIGKILL while it queues; a new edge starts on the same data folder and keeps
 * storing; the receiver comes back. Then every sample the historian acknowledged up to the end of the drain is in
 * VictoriaMetrics — including those of the last moments before the kill (the catch-up from the historian).
 */

const NO_TWIN = { opcua: 0, modbus: 0, dcgm: 0, control: 0 };

async function health(url: string): Promise<RemoteWriteStatus> {
  const res = await fetch(`${url}/api/health`);
  return ((await res.json()) as { remoteWrite: RemoteWriteStatus }).remoteWrite;
}

/** utime + stime of a process in seconds, from /proc/<pid>/stat (clock ticks of 10 ms) */
function cpuSeconds(pid: number | undefined): number {
  if (!pid) return NaN;
  try {
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

describe('kill -9 of the edge while the receiver is down (VictoriaMetrics)', () => {
  let peer: Peer | undefined;
  const procs: Proc[] = [];
  let dir: string;
  afterAll(async () => {
    await Promise.all(procs.map((p) => p.stop()));
    await peer?.remove();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('delivers every acknowledged sample after the restart', async () => {
    if (!victoriaMetricsAvailable())
      throw new Error('victoria-metrics is not installed: apt-get install victoria-metrics');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plenum-rw-kill-'));
    const data = path.join(dir, 'data');
    const file = path.join(dir, 'plenum.yaml');
    peer = await startVictoriaMetrics();
    fs.writeFileSync(file, edgeConfigYaml({ writeUrl: peer.writeUrl, racks: 4, interval: '50ms' }));
    const t0 = Date.now();
    const first = await startBackend(file, NO_TWIN, data);
    procs.push(first);
    await until('the first samples sent', async () => (await health(first.url)).queue.counters.sent > 500);

    await peer.stop();
    const down = Date.now();
    await until('the edge to queue through the outage', async () => {
      const h = await health(first.url);
      return h.sender.retries >= 2 && Date.now() - down > 6000;
    });
    const beforeKill = await health(first.url);
    first.kill('SIGKILL');
    await first.exited;

    const second = await startBackend(file, NO_TWIN, data);
    procs.push(second);
    const afterRestart = await health(second.url);
    // what the first edge had queued is still there
    expect(afterRestart.queue.samples).toBeGreaterThanOrEqual(beforeKill.queue.samples);
    await new Promise((r) => setTimeout(r, 4000));

    const cpuEdge0 = cpuSeconds(second.child.pid);
    await peer.restart();
    const cpuVm0 = cpuSeconds(peer.pid());
    const sent0 = (await health(second.url)).queue.counters.sent;
    const drained = await until(
      'the backlog to drain',
      async () => {
        const h = await health(second.url);
        return h.queue.samples < 600 && h.sender.state === 'idle' ? { h, at: Date.now() } : undefined;
      },
      60_000,
    );
    const cpu = { edge: cpuSeconds(second.child.pid) - cpuEdge0, vm: cpuSeconds(peer.pid()) - cpuVm0 };
    const backfilled = drained.h.queue.counters.sent - sent0;
    // every sample stored up to a second before the drain was seen has been sent (the queue is FIFO)
    const cut = drained.at - 2000;
    let got: SeriesSamples = new Map();
    await second.stop();

    const config = loadConfig(file, { connectors: CONNECTOR_NAMES, env: { PLENUM_DATA: data } });
    const historian = openHistorian({ dir: data });
    let expected: SeriesSamples;
    try {
      expected = expectedFromHistorian(historian, config.points, { edge: 'hall1-edge' }, t0 - 1000, cut);
    } finally {
      await historian.close();
    }
    got = await until('VictoriaMetrics to hold them', async () => {
      const g = await readVictoria(peer!);
      const cutG = new Map([...g].map(([k, l]) => [k, l.filter(([t]) => t < cut)]));
      return sampleCount(cutG) >= sampleCount(expected) ? cutG : undefined;
    });
    expect(mismatches(got, expected, 1e-12)).toEqual([]);
    // the comparison spans the outage: what was queued at the kill (samples stored while the store was away,
    // nominally 12 points × 20 Hz × 2 series × ≥ 6 s; fewer when a loaded machine slows the generator) is in it
    expect(beforeKill.queue.samples).toBeGreaterThan(500);
    expect(sampleCount(expected)).toBeGreaterThan(beforeKill.queue.samples);
    expect(drained.h.queue.counters.dropped).toEqual({ queue_full: 0, rejected: 0, out_of_order: 0 });
    console.log(
      `kill -9 test: ${sampleCount(expected)} samples compared; queued before the kill ${beforeKill.queue.samples}, after the restart ${afterRestart.queue.samples} (caught up from the historian: ${afterRestart.caughtUp}); backfill of ${backfilled} samples: edge ${cpu.edge.toFixed(2)} CPU-s (all of the backend, generator and historian included), VictoriaMetrics ${cpu.vm.toFixed(2)} CPU-s`,
    );
  }, 150_000);
});
