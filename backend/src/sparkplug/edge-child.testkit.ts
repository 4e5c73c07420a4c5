/**
 * An edge node in a process of its own, for the kill -9 tests: `node --import tsx edge-child.testkit.ts` with
 * SP_BROKER (url) and SP_DIR (its data folder); offers one sample every 20 ms and prints `born <bdSeq>` at each
 * birth. Keepalive 1 s, so the broker sends its Will 1.5 s after it dies.
 *
 * With SP_HISTORIAN=1 it runs as a backend does (plenum.ts): each sample is stored in a historian in SP_DIR first
 * and offered only once the historian acknowledged it (fsync'd), the edge catches up from that historian at start
 * and prints `caughtUp <n>`; SP_INTERVAL sets the edge's interval (ms, @default 20) — the spool write period, so
 * the window a kill -9 leaves in memory.
 */
import type { Sample } from '@plenum/model';
import { openHistorian } from '../historian/historian';
import { SparkplugEdge } from './edge-node';
import { brokerConfig, edgeConfig, edgePoint } from './testkit';

const point = edgePoint('sim/hall1/A/A01/pdu/power');
const withHistorian = process.env.SP_HISTORIAN === '1';
const historian = withHistorian ? openHistorian({ dir: process.env.SP_DIR!, now: Date.now }) : undefined;
historian?.ensurePoints([{ id: point.id, valueType: 'number' }]);
let wasBorn = false;
const edge = new SparkplugEdge({
  broker: brokerConfig(process.env.SP_BROKER!, { keepaliveMs: 1000 }),
  edge: edgeConfig({ clientId: 'plenum-edge-child', intervalMs: Number(process.env.SP_INTERVAL ?? 20) }),
  site: 'sim',
  points: [point],
  dataDir: process.env.SP_DIR!,
  ...(historian && { history: historian }),
});
edge.start();
if (historian) console.log(`caughtUp ${edge.status().caughtUp}`);
let i = 0;
let stopping = false;
const timer = setInterval(() => {
  const s: Sample = { pointId: point.id, ts: Date.now(), value: i++, quality: 'good' };
  if (!historian) edge.offer([s]);
  else
    void historian.ingest([s]).then(
      (r) => {
        if (r.accepted && !stopping) edge.offer([s]);
      },
      (err: unknown) => console.error(`ingest failed: ${String(err)}`),
    );
  const st = edge.status();
  if (st.born && !wasBorn) console.log(`born ${st.bdSeq}`);
  wasBorn = st.born;
}, 20);
process.on('SIGTERM', () => {
  // as plenum.ts stops: no new samples, the edge spools what it was offered, then the historian closes
  stopping = true;
  clearInterval(timer);
  void edge
    .stop()
    .then(() => historian?.close())
    .then(() => process.exit(0));
});
