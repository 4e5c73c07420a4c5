// node-opcua requires hexy, an ES module Jest's CommonJS runtime cannot load: a stand-in (see opcua.test.ts)
jest.mock('hexy', () => ({ hexy: (b: Buffer) => b.toString('hex') }));

import * as fs from 'node:fs';
import * as path from 'node:path';
import { AttributeIds, LogLevel, setLogLevel } from 'node-opcua';
import { SourceRunner } from '../runner';
import type { ConnectorDefinition, SourceSample } from '../types';
import { browsePoints } from './browse';
import { createOpcUa } from './connector';
import type { OpcUaConnector } from './connector';
import { opcua } from './index';
import { OpcUaLink } from './link';
import type { OpcUaSubscriber } from './opcua';
import { activeHandles, expectNoLeaks, freePort, SIM_NS, simPoints, source, startSimProcess, tempDir } from './testkit';

setLogLevel(LogLevel.Error);

/**
 * Servers with small OperationLimits (MaxNodesPerRead, MaxNodesPerBrowse, MaxMonitoredItemsPerCall, …), as
 * embedded controllers and gateways have, killed with SIGKILL mid-subscription and restarted: the connector
 * reads the limits one at a time, keeps every call within them, takes over the recreation that node-opcua's own
 * reconnection gets wrong below 12 nodes per Read, and never reports `up` while nothing arrives.
 */

/** 12 points: more than every limit tested, so every call must be split */
const IDS = [
  ...['supply_temp', 'return_temp', 'fan_speed', 'valve'].map((s) => `hall1.crah1.${s}`),
  ...['supply_temp', 'return_temp', 'flow', 'heat_load'].map((s) => `hall1.cdu1.${s}`),
  ...['A01', 'B02', 'C03', 'D04'].map((r) => `hall1.${r[0]}.${r}.env.inlet_temp`),
];

const logs: string[] = [];
const definition: ConnectorDefinition<never> = {
  ...(opcua as unknown as ConnectorDefinition<never>),
  init: (s) => createOpcUa(s as never, { log: (m) => void logs.push(m) }),
};

describe.each([1, 5, 8, 11])('a server whose OperationLimits are %i', (limit) => {
  let dir: string;
  beforeEach(() => (dir = tempDir('plenum-opcua-limits-')));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('is read, browsed, polled and subscribed within its limits, and delivers again ≤ 10 s after kill -9 and restart', async () => {
    const before = activeHandles();
    const port = await freePort();
    const sim = await startSimProcess(port, String(limit), path.join(dir, 'sim'));
    const options = {
      endpoint: sim.endpoint,
      pkiDir: path.join(dir, 'pki'),
      keepAliveMs: 1000,
      reconnect: { initialDelayMs: 200, maxDelayMs: 1000 },
    };
    const ctx = {
      source: 'limits',
      options: source(options, []).options,
      pkiDir: options.pkiDir,
      log: () => undefined,
    };
    const events = {
      lost: () => undefined,
      restored: () => undefined,
      namespaces: () => undefined,
      dead: () => undefined,
    };
    let runner: SourceRunner | undefined;
    let poller: SourceRunner | undefined;
    try {
      // the limits, read one at a time; the server really refuses one node more
      const link = await OpcUaLink.open({ ...ctx, events });
      try {
        expect(link.limits).toMatchObject({
          maxNodesPerRead: limit,
          maxNodesPerBrowse: limit,
          maxMonitoredItemsPerCall: limit,
          maxNodesPerWrite: limit,
        });
        const nodes = IDS.map((id) => ({
          nodeId: `ns=${link.namespaces.indexOf(SIM_NS)};s=${id}`,
          attributeId: AttributeIds.Value,
        }));
        await expect(link.session.read(nodes.slice(0, limit + 1))).rejects.toThrow(/BadTooManyOperations/);
        expect((await link.read(nodes)).every((dv) => dv.statusCode.isGood())).toBe(true);
        const browsed = await browsePoints(link, `nsu=${SIM_NS};s=hall1.cdu1`, { maxDepth: 1 });
        expect(browsed.variables.map((v) => v.browseName)).toEqual(
          expect.arrayContaining(['supply_temp', 'return_temp', 'flow', 'heat_load']),
        );
        expect(browsed.variables.every((v) => v.range !== undefined)).toBe(true);
      } finally {
        await link.close();
      }

      // a subscription and a poll, under the runner as the backend runs them
      const delivered: Array<{ at: number; s: SourceSample }> = [];
      const sink = async (batch: SourceSample[]) => {
        const at = Date.now();
        for (const s of batch) delivered.push({ at, s });
      };
      runner = new SourceRunner(definition, source(options, simPoints(IDS), 200) as never, sink, {
        log: () => undefined,
      });
      const polled: SourceSample[] = [];
      poller = new SourceRunner(
        definition,
        source({ ...options, mode: 'poll' }, simPoints(IDS), 500) as never,
        async (b) => void polled.push(...b),
        { log: () => undefined },
      );
      runner.start();
      poller.start();
      const goodSince = (t: number, list: Array<{ at: number; s: SourceSample }>) =>
        IDS.every((id) => list.some((d) => d.at >= t && d.s.pointId === id && d.s.quality === 'good'));
      await until('good values of every point', () => goodSince(0, delivered) && runner!.status.state === 'up');
      await until('a good poll', () => poller!.status.state === 'up');
      const sub = (runner.connector as OpcUaConnector & { impl: OpcUaSubscriber }).impl;
      expect(Math.max(...sub.callSizes)).toBeLessThanOrEqual(limit);
      expect(sub.callSizes.reduce((a, b) => a + b, 0)).toBe(IDS.length);
      const rebuildsBefore = sub.stats.rebuilds;

      // watch health every 100 ms through the outage
      const seen: Array<{ at: number; state: string }> = [];
      const watch = setInterval(() => seen.push({ at: Date.now(), state: runner!.status.state }), 100);
      const tKill = Date.now();
      await sim.kill9();
      await new Promise((r) => setTimeout(r, 1500));
      await sim.restart();
      const tRestart = Date.now();
      await until('good values of every point after the restart', () => goodSince(tRestart, delivered), 15_000);
      const tBack = Date.now();
      await until('the runner up again', () => runner!.status.state === 'up', 5000);
      const afterBack = polled.length;
      await until(
        'a good poll after the restart',
        () => polled.slice(afterBack).some((s) => s.quality === 'good'),
        15_000,
      );
      clearInterval(watch);

      expect(tBack - tRestart).toBeLessThanOrEqual(10_000);
      // `up` only while good samples arrived within staleAfter (+ one observation period)
      const staleAfter = runner.rules.staleAfterMs;
      const goodTimes = delivered.filter((d) => d.s.quality === 'good').map((d) => d.at);
      const upWhileSilent = seen
        .filter((o) => o.state === 'up')
        .map((o) => ({ sinceKillMs: o.at - tKill, silentMs: o.at - Math.max(...goodTimes.filter((t) => t <= o.at)) }))
        .filter((o) => o.silentMs > staleAfter + 200);
      expect(upWhileSilent).toEqual([]);
      expect(seen.some((o) => o.at > tKill && o.at < tRestart && o.state === 'degraded')).toBe(true);
      // the connector, not node-opcua, recreated the subscription on the restarted server, within its limits
      expect(sub.stats.rebuilds).toBeGreaterThan(rebuildsBefore);
      expect(Math.max(...sub.callSizes)).toBeLessThanOrEqual(limit);
      // the outage is one gap marker per point
      const gap = delivered.filter((d) => d.at >= tKill && d.at < tRestart && d.s.quality === 'bad');
      expect(gap.map((d) => d.s.pointId).sort()).toEqual([...IDS].sort());
    } finally {
      await runner?.stop();
      await poller?.stop();
      await sim.close();
    }
    // a refused node-opcua repair retries once after its 5 s OPCUAClientBase.retryDelay, then ends
    await expectNoLeaks(before, 6500);
  }, 90_000);
});

async function until(what: string, cond: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
