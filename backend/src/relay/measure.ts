/**
 * The relay's figures in README.md: `npx tsx backend/src/relay/measure.ts [events] [jobs]` (defaults 10000, 200).
 * Debian mosquitto, one edge and one hub in this process, each from a plenum.yaml. (1) `events` events written at
 * the edge while no hub is online, then the hub started: the time until all are stored at the hub (backlog
 * drain). (2) `jobs` job webhooks posted one after another at the hub: each one's round trip hub → broker → edge
 * (recorded, jobs source) → broker → hub, p50 / p95 / max.
 */
import { startMosquitto } from '../sparkplug/mosquitto.testkit';
import { newSetup, post, startEdge, startTestHub, stopSetup } from './relay.testkit';

async function main(): Promise<void> {
  const events = Number(process.argv[2] ?? 10_000);
  const jobs = Number(process.argv[3] ?? 200);
  // mosquitto Nagles its writes unless told (set_tcp_nodelay, 2.0+): MEASURE_NAGLE=1 leaves it at its default
  const broker = await startMosquitto(process.env.MEASURE_NAGLE ? [] : ['set_tcp_nodelay true']);
  const setup = newSetup();
  try {
    const edge = await startEdge(setup, 'hall1', broker.url);
    const t0 = Date.now() - 3_600_000;
    for (let i = 0; i < events; i++)
      edge.events.add({ time: t0 + i, type: 'note', title: `backlog ${i}`, tags: ['measure'], source: 'measure' });
    const start = Date.now();
    const hub = await startTestHub(setup, broker.url);
    while (hub.relay!.status().eventsChanged < events) await new Promise((r) => setTimeout(r, 10));
    const drainMs = Date.now() - start;
    console.log(
      `backlog: ${events} events at the hub ${drainMs} ms after it started (${Math.round(events / (drainMs / 1000))} events/s, hub start included); batches ${hub.relay!.status().batchesStored}`,
    );
    // the same webhooks posted to the edge itself: what the relay adds to the edge's own handling
    for (const [what, url, prefix] of [
      ['at the edge itself', edge.url, 'e'],
      ['at the hub, hub → edge → hub', hub.url, 'h'],
    ] as const) {
      const times: number[] = [];
      for (let i = 0; i < jobs; i++) {
        const body = { event: 'job_start', job_id: `${prefix}${i}`, racks: ['A01'], expected_kw: 10 };
        const s = performance.now();
        const r = await post(`${url}/api/events`, body);
        times.push(performance.now() - s);
        if (r.status !== 201) throw new Error(`job ${i}: ${r.status} ${JSON.stringify(r.body)}`);
      }
      times.sort((a, b) => a - b);
      const q = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))]!.toFixed(1);
      console.log(
        `jobs posted ${what}: ${jobs} one after another, p50 ${q(0.5)} ms, p95 ${q(0.95)} ms, max ${q(1)} ms`,
      );
    }
  } finally {
    await stopSetup(setup);
    await broker.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
