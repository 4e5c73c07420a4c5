/**
 * What the sender costs against what the receiver costs, on one run (README.md, "Figures"):
 * `npx tsx backend/src/remote-write/cost.ts [samples] [series] [batchSamples]` starts Debian's VictoriaMetrics, queues `samples`
 * samples (default 600,000) of `series` series (default 1,296: a 648-point hall with its quality series) through
 * the durable queue in commits of 2,000, lets the sender drain it in requests of `batchSamples` (2,000), and prints the CPU seconds
 * of this process (queue + encoding + HTTP: the sender) and of VictoriaMetrics (/proc/<pid>/stat) per sample.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startVictoriaMetrics } from './peers';
import { DurableQueue } from './queue';
import { Sender } from './sender';
import { sortedLabels, valueBits } from './write-request';

function procCpu(pid: number | undefined): number {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const x = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return (Number(x[11]) + Number(x[12])) / 100; // clock ticks of 10 ms
}

async function main() {
  const total = Number(process.argv[2] ?? 600_000);
  const nSeries = Number(process.argv[3] ?? 1296);
  const batchSamples = Number(process.argv[4] ?? 2000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plenum-rw-cost-'));
  const vm = await startVictoriaMetrics();
  try {
    const labels = Array.from({ length: nSeries }, (_, i) =>
      sortedLabels({
        __name__: i % 2 ? 'plenum_quality' : 'plenum_temperature_celsius',
        site: 'sim',
        hall: 'hall1',
        row: 'ABCD'[i % 4]!,
        rack: `R${Math.floor(i / 8) % 40}`,
        asset: `a${i % 8}`,
        signal: 'inlet_temp',
        quantity: 'temperature',
        unit: 'celsius',
        domain: 'OT',
        kind: 'measurement',
        point: `sim/hall1/row/rack/asset/signal${i >> 1}`,
        ...(i % 2 ? { metric: 'plenum_temperature_celsius' } : {}),
      }),
    );
    const queue = new DurableQueue(path.join(dir, 'queue.db'), 1 << 30, () => Date.now());
    const sender = new Sender(queue, {
      url: vm.writeUrl,
      headers: {},
      timeoutMs: 30_000,
      batchSamples,
      flushIntervalMs: 100,
      backoff: { min: 100, max: 1000 },
      log: (m) => console.log(m),
    });
    const vm0 = procCpu(vm.pid());
    const me0 = process.cpuUsage();
    const w0 = Date.now();
    sender.start();
    const t0 = Date.now() - 3_600_000;
    let n = 0;
    let appendCpu = 0;
    for (let step = 0; n < total; step++) {
      const batch = [];
      for (let i = 0; i < 2000 && n < total; i++, n++) {
        const sid = n % nSeries;
        const ts = t0 + Math.floor(n / nSeries) * 1000;
        const v = sid % 2 ? 0 : Math.round((20 + Math.sin(n / 997) * 4) * 10) / 10;
        batch.push({ key: String(sid), ts, ...valueBits(v) });
      }
      const a0 = process.cpuUsage();
      queue.append(batch, (k) => labels[Number(k)]!);
      const a = process.cpuUsage(a0);
      appendCpu += (a.user + a.system) / 1e6;
      sender.kick();
      // let the sender run between commits, as the event loop shares them in the backend
      if (step % 4 === 0) await new Promise((r) => setImmediate(r));
    }
    while (queue.pendingSamples > 0) await new Promise((r) => setTimeout(r, 20));
    const me = process.cpuUsage(me0);
    const wall = (Date.now() - w0) / 1000;
    await fetch(`${vm.url}/internal/force_flush`);
    await new Promise((r) => setTimeout(r, 1500));
    const vmCpu = procCpu(vm.pid()) - vm0;
    const senderCpu = (me.user + me.system) / 1e6;
    const st = queue.stats();
    await sender.close();
    queue.close();
    console.log(
      `${total} samples, ${nSeries} series, ${st.counters.sent} sent in ${sender.status.requests} requests, ${wall.toFixed(1)} s wall (${Math.round(total / wall)} samples/s)`,
    );
    console.log(`of which queue appends (fsync'd commits of 2,000): ${appendCpu.toFixed(2)} CPU-s`);
    console.log(
      `sender (queue + encode + HTTP): ${senderCpu.toFixed(2)} CPU-s = ${((senderCpu / total) * 1e6).toFixed(2)} µs/sample; VictoriaMetrics: ${vmCpu.toFixed(2)} CPU-s = ${((vmCpu / total) * 1e6).toFixed(2)} µs/sample; ratio ${(senderCpu / vmCpu).toFixed(2)}`,
    );
  } finally {
    await vm.remove();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void main();
