/**
 * A BMC behind the TCP fault proxy (backend/src/testing/fault-proxy.ts): the connector, run by the real
 * SourceRunner, reads the mockup BMC over HTTPS (session, pinned certificate) through the proxy while it injects
 * latency beyond timeoutMs, drops, resets, half-open connections, a black hole and refusals, and the BMC reboots.
 * While a fault lasts the points are bad (no good sample read after the first second); within 5 s of its end they
 * are good again — a new session after the reboot — and nothing is left open.
 */
import { SourceRunner } from '../runner';
import type { SourceSample } from '../types';
import { FaultProxy, type Fault } from '../../testing/fault-proxy';
import { redfish } from './index';
import { activeHandles, expectNoLeaks, makeCert, redfishSource, sourcePoint, startBmc } from './testkit';

jest.setTimeout(90_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

it('every fault between connector and BMC: bad while it lasts, good within 5 s after, nothing leaked', async () => {
  const before = activeHandles();
  const cert = makeCert();
  const bmc = await startBmc({ tls: cert, users: { admin: 'fault-pw' } });
  const proxy = new FaultProxy({ targetPort: bmc.port, latencyMs: 1500 });
  await proxy.start();
  const got: Array<{ at: number; s: SourceSample }> = [];
  const source = {
    ...redfishSource(
      {
        url: `https://127.0.0.1:${proxy.port}`,
        username: 'admin',
        password: 'fault-pw',
        tls: { fingerprint: cert.fingerprint },
        timeoutMs: 800,
      },
      [sourcePoint('rf/power', '1U:power'), sourcePoint('rf/total', '1U/Sensors/TotalPower#Reading')],
      'fault-bmc',
      300,
    ),
    liveness: { staleAfterMs: 2000, rebuildAfterMs: 6000 },
  };
  const runner = new SourceRunner(redfish as never, source as never, async (batch) => {
    const at = Date.now();
    for (const s of batch) got.push({ at, s });
  });
  const goodAfter = async (since: number, ms: number) => {
    const end = Date.now() + ms;
    for (;;) {
      const g = got.find((r) => r.at > since && r.s.quality === 'good');
      if (g) return g.at - since;
      if (Date.now() > end) return undefined;
      await sleep(20);
    }
  };
  const report: string[] = [];
  let sessionsLeft = -1;
  runner.start();
  try {
    expect(await goodAfter(0, 5000)).toBeDefined();
    expect(got.find((r) => r.s.quality === 'good')?.s.value).toBe(374);
    for (const fault of ['latency', 'drop', 'reset', 'half-open', 'black-hole', 'refuse', 'restart'] as const) {
      const start = Date.now();
      if (fault === 'restart') await bmc.stop();
      else await proxy.set(fault as Fault);
      await sleep(2500);
      const end = Date.now();
      if (fault === 'restart') await bmc.start();
      else await proxy.set('pass');
      const recovery = await goodAfter(end, 10_000);
      // by the samples' read times: a request sent just before the fault may still be answered in its first second
      const during = got.filter((r) => r.s.ts > start + 1000 && r.s.ts <= end);
      const bad = during.filter((r) => r.s.quality === 'bad');
      report.push(`${fault}: ${bad.length} bad, ${during.length - bad.length} good, back in ${recovery} ms`);
      expect({ fault, good: during.length - bad.length }).toEqual({ fault, good: 0 });
      expect({ fault, bad: bad.length > 0 }).toEqual({ fault, bad: true });
      expect({ fault, back: recovery !== undefined && recovery <= 5000 }).toEqual({ fault, back: true });
      got.splice(0, got.length);
      await sleep(500);
      // a handshake a black hole never answered was once left open for ever (no request owned its socket yet)
      expect({ fault, open: proxy.open <= 2 }).toEqual({ fault, open: true });
    }
    // the reboot forgot the session: the connector logged in again
    expect(bmc.requests.filter((r) => r.method === 'POST').length).toBeGreaterThanOrEqual(2);
    expect(runner.status.state).toBe('up');
  } finally {
    console.log(report.join('\n'));
    await runner.stop();
    sessionsLeft = bmc.sessionCount; // stop deleted its session, through the proxy
    await proxy.stop();
    await bmc.stop();
  }
  expect(sessionsLeft).toBe(0);
  await expectNoLeaks(before, 3000);
});
