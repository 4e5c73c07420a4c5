/**
 * The Sparkplug side of the hub in `npm run bench:scaleout`: Plenum's own primary host (`sparkplug/primary-host.ts`)
 * in a process of its own, `node --import tsx bench/scaleout/sparkplug-host.ts <broker url> <hostId>`, started
 * with an IPC channel. It keeps the timestamps of every sample of the watched points (each rack's inlet
 * temperature: one point in 50, so the bench can compare them with each edge's historian for losses) and a count
 * per edge of all samples; on the message `'report'` it answers `{status, samples, watched}`. SIGTERM stops it
 * (STATE offline, as a hub going away says). No historian: this measures the transport, not the store.
 */
import type { Sample } from '@plenum/model';
import { PrimaryHost } from '../../backend/src/sparkplug/primary-host';
import { brokerConfig } from '../../backend/src/sparkplug/testkit';

/** the points whose every timestamp is kept (the rest are counted only) */
const WATCH = /\/env\/inlet_temp$/;

const [url, hostId] = process.argv.slice(2);
if (!url || !hostId || !process.send) {
  console.error(
    'usage: node --import tsx bench/scaleout/sparkplug-host.ts <broker url> <hostId> (with an IPC channel)',
  );
  process.exit(2);
}
const perEdge = new Map<string, number>();
const watched = new Map<string, Set<number>>();
const host = new PrimaryHost({
  // keepalive 2 s: the broker notices a dead peer within 3 s (the bench kills the broker and an edge)
  broker: brokerConfig(url),
  host: { hostId, clientId: `bench-scaleout-${hostId}`, reorderTimeoutMs: 2000 },
  log: (m) => console.log(m),
  onSamples: (samples: Sample[], from) => {
    // a death's samples are the host's own bad markers at its time, not the edge's samples
    if (from.kind === 'death') return;
    perEdge.set(from.edge, (perEdge.get(from.edge) ?? 0) + samples.length);
    for (const s of samples) {
      if (!WATCH.test(s.pointId)) continue;
      let set = watched.get(s.pointId);
      if (!set) watched.set(s.pointId, (set = new Set()));
      set.add(s.ts);
    }
  },
});
host.start();
process.on('message', (m) => {
  if (m !== 'report') return;
  process.send!({
    status: host.status(),
    samples: Object.fromEntries(perEdge),
    watched: Object.fromEntries([...watched].map(([k, v]) => [k, [...v]])),
  });
});
process.on('SIGTERM', () => void host.stop(0).then(() => process.exit(0)));
