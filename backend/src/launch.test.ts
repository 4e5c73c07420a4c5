import type { Point, QueryResponse } from '@plenum/model';
import { startStack } from './testing/stack';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * `npm start` end to end: the launcher runs the simulator and the backend as two processes; within 30 s the
 * catalog lists points of all four connectors and each connector's points have good-quality samples — read over
 * OPC UA, Modbus TCP, the Prometheus exposition format and a job webhook, never in-process.
 */
describe('npm start: simulator + backend over real protocols', () => {
  it('serves points and good samples from opcua, modbus, prometheus and jobs within 30 s', async () => {
    const stack = await startStack();
    const { url } = stack;
    const control = stack.controlUrl;
    const started = Date.now();
    try {
      // a job on A01 and A02 from the scheduler (the simulator posts its webhook to the backend)
      let jobPosted = false;
      let good = new Map<string, number>();
      let connectors = new Set<string>();
      while (Date.now() - started < 30_000) {
        await sleep(500);
        try {
          if (!jobPosted) {
            const r = await fetch(`${control}/jobs`, {
              method: 'POST',
              headers: { 'Content-Type': 'application/json' },
              body: JSON.stringify({ racks: ['A01', 'A02'], expectedKwPerRack: 90, durationS: 3600, id: 'e2e-1' }),
            });
            jobPosted = r.status === 201;
          }
          const points = ((await (await fetch(`${url}/api/points?pageSize=1000`)).json()) as { points: Point[] })
            .points;
          connectors = new Set(points.map((p) => p.source.connector));
          const q = (await (
            await fetch(`${url}/api/query`, {
              method: 'POST',
              headers: { 'Content-Type': 'application/json' },
              body: JSON.stringify({
                range: { from: 'now-5m', to: 'now' },
                queries: [{ refId: 'L', queryType: 'latest', selector: {} }],
              }),
            })
          ).json()) as QueryResponse;
          const byId = new Map(points.map((p) => [p.id, p.source.connector]));
          good = new Map();
          for (const f of q.results.L!.frames) {
            const names = f.schema.fields.map((x) => x.name);
            const ids = f.data.values[names.indexOf('point')] as string[];
            const quality = f.data.values[names.indexOf('quality')] as Array<string | null>;
            ids.forEach((id, i) => {
              if (quality[i] === 'good') good.set(byId.get(id)!, (good.get(byId.get(id)!) ?? 0) + 1);
            });
          }
          if (['opcua', 'modbus', 'prometheus', 'jobs'].every((c) => (good.get(c) ?? 0) > 0)) break;
        } catch {
          // not listening yet
        }
      }
      // and the prediction service's derived anomaly-score points (predict/README.md)
      expect([...connectors].sort()).toEqual(['jobs', 'modbus', 'opcua', 'predict', 'prometheus']);
      expect(Object.fromEntries(good)).toEqual({
        opcua: expect.any(Number),
        modbus: expect.any(Number),
        prometheus: expect.any(Number),
        jobs: expect.any(Number),
      });
      // the job's webhook (simulator → backend) may land after the samples: startStack returns once both listen
      let jobIds: string[] = [];
      while (Date.now() - started < 30_000) {
        const events = (await (await fetch(`${url}/api/events?type=job`)).json()) as {
          events: Array<{ data: { jobId: string } }>;
        };
        jobIds = events.events.map((e) => e.data.jobId);
        if (jobIds.includes('e2e-1')) break;
        await sleep(250);
      }
      expect(jobIds).toContain('e2e-1');
      expect(Date.now() - started).toBeLessThan(30_000);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n--- launcher output ---\n${stack.output().slice(-4000)}`);
    } finally {
      await stack.stop();
    }
  }, 60_000);
});
