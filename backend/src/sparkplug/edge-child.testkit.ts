/**
 * An edge node in a process of its own, for the kill -9 test: `node --import tsx edge-child.testkit.ts` with
 * SP_BROKER (url) and SP_DIR (its data folder); offers one sample every 20 ms and prints `born <bdSeq>` at each
 * birth. Keepalive 1 s, so the broker sends its Will 1.5 s after it dies.
 */
import { SparkplugEdge } from './edge-node';
import { brokerConfig, edgeConfig, edgePoint } from './testkit';

const point = edgePoint('sim/hall1/A/A01/pdu/power');
let wasBorn = false;
const edge = new SparkplugEdge({
  broker: brokerConfig(process.env.SP_BROKER!, { keepaliveMs: 1000 }),
  edge: edgeConfig({ clientId: 'plenum-edge-child', intervalMs: 20 }),
  site: 'sim',
  points: [point],
  dataDir: process.env.SP_DIR!,
});
edge.start();
let i = 0;
setInterval(() => {
  edge.offer([{ pointId: point.id, ts: Date.now(), value: i++, quality: 'good' }]);
  const s = edge.status();
  if (s.born && !wasBorn) console.log(`born ${s.bdSeq}`);
  wasBorn = s.born;
}, 20);
process.on('SIGTERM', () => void edge.stop().then(() => process.exit(0)));
