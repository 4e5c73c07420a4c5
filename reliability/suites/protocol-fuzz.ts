/**
 * Protocol fuzz: devices that answer wrongly. A rogue Modbus TCP server (wrong lengths, bad function codes, wrong
 * transaction ids, exception storms, garbage bytes, truncated frames, generated frames), garbage Prometheus
 * exposition (generated text, through the parser and through the connector over HTTP), an OPC UA server whose
 * nodes hold what a number point cannot take (arrays, strings, nulls, huge strings, byte strings, dates), and
 * malformed job webhooks (the jobs connector's payload parsing). Each must give bad quality and a named error
 * (the source, the point, a status), never a crash or an unhandled rejection, and memory must not grow over rounds.
 *
 * Full form: many rounds (thousands of generated inputs); short form: a few rounds of each, within 90 s.
 */
import http from 'node:http';
import net from 'node:net';
import fc from 'fast-check';
import { QueryError } from '../../backend/src/common/errors';
import { modbusOptions } from '../../backend/src/connectors/modbus/config';
import { createModbus } from '../../backend/src/connectors/modbus/modbus';
import { sourcePoint as modbusPoint } from '../../backend/src/connectors/modbus/testkit';
import { ExpositionError, parseExposition } from '../../backend/src/connectors/prometheus/exposition';
import { connector as promConnector, sourcePoint as promPoint } from '../../backend/src/connectors/prometheus/testkit';
import { createJobsConnector } from '../../backend/src/connectors/jobs/jobs';
import { isJobWebhook, parseJobWebhook } from '../../backend/src/connectors/jobs/payload';
import type { PolledConnector, SourcePoint, SourceSample } from '../../backend/src/connectors/types';
import { opcuaPoint, source as opcuaSource, tempDir, TYPED_NS } from '../../backend/src/connectors/opcua/testkit';
import { activeHandles, expectNoLeaks } from '../../backend/src/testing/handles';
import { figure, fullGc, type Figure, type Suite, type SuiteResult } from '../suite';

/** How the rogue Modbus server answers a request. */
export const ROGUE_MODES = [
  'mbap-length-long',
  'mbap-length-short',
  'byte-count',
  'fewer-registers',
  'bad-function',
  'wrong-transaction',
  'wrong-unit',
  'exception-storm',
  'garbage',
  'truncated',
  'oversized',
  'generated',
] as const;
export type RogueMode = (typeof ROGUE_MODES)[number];

interface Rogue {
  port: number;
  mode: RogueMode;
  /** the generator's next frame, for `generated` */
  next?: () => Buffer;
  close(): Promise<void>;
}

/** One answer to an FC3 request `req` (a whole MBAP frame) in `mode`. */
export function rogueAnswer(mode: RogueMode, req: Buffer, rnd: () => number, next?: () => Buffer): Buffer | undefined {
  const tid = req.readUInt16BE(0);
  const unit = req[6] as number;
  const fn = req[7] as number;
  const count = req.length >= 12 ? req.readUInt16BE(10) : 1;
  const frame = (t: number, u: number, pdu: Buffer, lenField = pdu.length + 1) => {
    const h = Buffer.alloc(7);
    h.writeUInt16BE(t & 0xffff, 0);
    h.writeUInt16BE(0, 2);
    h.writeUInt16BE(lenField & 0xffff, 4);
    h.writeUInt8(u & 0xff, 6);
    return Buffer.concat([h, pdu]);
  };
  const data = (n: number, byteCount = n * 2) => {
    const b = Buffer.alloc(2 + n * 2);
    b.writeUInt8(fn, 0);
    b.writeUInt8(byteCount & 0xff, 1);
    for (let i = 0; i < n; i++) b.writeUInt16BE(Math.floor(rnd() * 65536), 2 + i * 2);
    return b;
  };
  switch (mode) {
    case 'mbap-length-long':
      return frame(tid, unit, data(count), count * 2 + 3 + 40);
    case 'mbap-length-short':
      return frame(tid, unit, data(count), 2);
    case 'byte-count':
      return frame(tid, unit, data(count, count * 2 + 7));
    case 'fewer-registers':
      return frame(tid, unit, data(Math.max(0, count - 1)));
    case 'bad-function': {
      const pdu = data(count);
      pdu.writeUInt8([0x2b, 0x11, 0x04, 0x7f][Math.floor(rnd() * 4)] as number, 0);
      return frame(tid, unit, pdu);
    }
    case 'wrong-transaction':
      return frame(tid + 1 + Math.floor(rnd() * 100), unit, data(count));
    case 'wrong-unit':
      return frame(tid, unit + 1, data(count));
    case 'exception-storm':
      // every code, known or not, several frames at once (a storm), the first for this transaction
      return Buffer.concat(
        Array.from({ length: 1 + Math.floor(rnd() * 4) }, (_, i) =>
          frame(tid + i, unit, Buffer.from([fn | 0x80, Math.floor(rnd() * 256)])),
        ),
      );
    case 'garbage':
      return Buffer.from(Array.from({ length: 1 + Math.floor(rnd() * 300) }, () => Math.floor(rnd() * 256)));
    case 'truncated': {
      const f = frame(tid, unit, data(count));
      return f.subarray(0, 1 + Math.floor(rnd() * (f.length - 1)));
    }
    case 'oversized':
      return frame(tid, unit, data(125 + Math.floor(rnd() * 200)));
    case 'generated':
      return next?.();
  }
}

async function startRogue(mode: RogueMode, seed: number): Promise<Rogue> {
  let x = seed >>> 0 || 1;
  const rnd = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const socks = new Set<net.Socket>();
  const r: Rogue = { port: 0, mode, close: async () => undefined };
  const server = net.createServer((s) => {
    socks.add(s);
    s.on('error', () => undefined);
    s.on('close', () => socks.delete(s));
    let buf = Buffer.alloc(0);
    s.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 7) {
        const len = buf.readUInt16BE(4);
        if (buf.length < 6 + len) break;
        const req = buf.subarray(0, 6 + len);
        buf = buf.subarray(6 + len);
        const answer = rogueAnswer(r.mode, req, rnd, r.next);
        if (answer && !s.destroyed) s.write(answer);
      }
    });
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  r.port = (server.address() as net.AddressInfo).port;
  r.close = () =>
    new Promise<void>((res) => {
      for (const s of socks) s.destroy();
      server.close(() => res());
    });
  return r;
}

/** What a round found wrong; empty when every point was bad with a status and errors were named. */
type Check = string[];

/** A sample that claims to be good from a device that answered wrongly, or a bad one without a status. */
function checkSamples(where: string, points: readonly SourcePoint[], samples: readonly SourceSample[]): Check {
  const out: Check = [];
  for (const p of points) {
    const s = samples.filter((x) => x.pointId === p.id);
    if (s.length === 0) out.push(`${where}: point "${p.id}" got no sample`);
    for (const x of s) {
      if (x.quality === 'good' && p.valueType === 'number' && !Number.isFinite(x.value as number))
        out.push(`${where}: point "${p.id}" good with a non-finite value ${String(x.value)}`);
      if (x.quality === 'bad' && typeof x.rawStatus !== 'number')
        out.push(`${where}: point "${p.id}" bad without a rawStatus`);
      if (typeof x.value !== p.valueType) out.push(`${where}: point "${p.id}" carries a ${typeof x.value}`);
    }
  }
  return out;
}

/** Modes whose every answer is wrong: every point must be bad. (`generated` frames may by chance be valid.) */
const ALWAYS_WRONG: ReadonlySet<RogueMode> = new Set(ROGUE_MODES.filter((m) => m !== 'generated'));

interface Tally {
  rounds: number;
  inputs: number;
  problems: string[];
}

const tally = (): Tally => ({ rounds: 0, inputs: 0, problems: [] });
const note = (t: Tally, p: string[]) => {
  for (const x of p) if (t.problems.length < 20) t.problems.push(x);
};

async function fuzzModbus(rounds: number, seed: number, log: (l: string) => void): Promise<Tally> {
  const t = tally();
  const points = [
    modbusPoint('r/a', 'unit=1;hr=0'),
    modbusPoint('r/b', 'unit=1;hr=2;float32'),
    modbusPoint('r/c', 'unit=2;hr=10;string:4', 'string'),
    modbusPoint('r/d', 'unit=1;coil=3', 'boolean'),
  ];
  // generated MBAP frames: the header for the request's transaction, anything after it
  const gen = fc.sample(
    fc.record({
      keepTid: fc.boolean(),
      len: fc.option(fc.integer({ min: 0, max: 0xffff }), { nil: undefined }),
      unit: fc.option(fc.integer({ min: 0, max: 255 }), { nil: undefined }),
      pdu: fc.uint8Array({ maxLength: 260 }),
    }),
    { seed, numRuns: Math.max(50, rounds * 4) },
  );
  let gi = 0;
  for (const mode of ROGUE_MODES) {
    const rogue = await startRogue(mode, seed);
    let lastTid = 0;
    rogue.next = () => {
      const g = gen[gi++ % gen.length]!;
      const h = Buffer.alloc(7);
      h.writeUInt16BE(g.keepTid ? lastTid : (lastTid + 1) & 0xffff, 0);
      h.writeUInt16BE(g.len ?? g.pdu.length + 1, 4);
      h.writeUInt8(g.unit ?? 1, 6);
      return Buffer.concat([h, Buffer.from(g.pdu)]);
    };
    const c = createModbus({
      name: `rogue-${mode}`,
      intervalMs: 1000,
      options: modbusOptions.parse({
        host: '127.0.0.1',
        port: rogue.port,
        timeoutMs: 150,
        retries: 1,
        connectTimeoutMs: 500,
      }),
      points,
    });
    try {
      for (let i = 0; i < rounds; i++) {
        lastTid = (lastTid + 1) & 0xffff;
        const got: SourceSample[] = [];
        let error: unknown;
        try {
          await c.gather(async (s) => void got.push(...s));
        } catch (e) {
          error = e;
        }
        t.rounds++;
        t.inputs++;
        const where = `modbus ${mode} round ${i}`;
        const p = checkSamples(where, points, got);
        if (ALWAYS_WRONG.has(mode)) {
          for (const s of got)
            if (s.quality !== 'bad') p.push(`${where}: point "${s.pointId}" good from a wrong answer`);
        }
        if (error !== undefined) {
          const m = (error as Error)?.message ?? String(error);
          if (!m.startsWith(`source "rogue-${mode}"`)) p.push(`${where}: gather threw an unnamed error: ${m}`);
        }
        note(t, p);
      }
    } finally {
      await c.close();
      await rogue.close();
    }
    log(
      `modbus ${mode}: ${rounds} rounds, ${c.stats.invalid} malformed, ${c.stats.exceptions} exceptions, ${c.stats.timeouts} timeouts`,
    );
  }
  return t;
}

/** Lines an exposition might hold, and broken variants of them. */
function expositionText(): fc.Arbitrary<string> {
  const name = fc.stringMatching(/^[a-zA-Z_:][a-zA-Z0-9_:]{0,12}$/);
  const value = fc.oneof(
    fc.double().map(String),
    fc.constantFrom('NaN', '+Inf', '-Inf', '1e400', '0x10', '', '--1', '1,5', '١٢'),
    fc.string({ maxLength: 8 }),
  );
  const labels = fc.array(
    fc.tuple(fc.oneof(name, fc.string({ maxLength: 5 })), fc.string({ maxLength: 10 })).map(([k, v]) => `${k}="${v}"`),
    { maxLength: 4 },
  );
  const line = fc.oneof(
    fc.tuple(name, labels, value).map(([n, l, v]) => `${n}{${l.join(',')}} ${v}`),
    fc
      .tuple(name, value, fc.oneof(fc.integer().map(String), fc.string({ maxLength: 6 })))
      .map(([n, v, ts]) => `${n} ${v} ${ts}`),
    fc.tuple(name, fc.string({ maxLength: 12 })).map(([n, t]) => `# TYPE ${n} ${t}`),
    fc.tuple(name, fc.string({ maxLength: 20 })).map(([n, h]) => `# HELP ${n} ${h}`),
    fc.constantFrom('# EOF', '{', '}', 'a{b="', 'a{b="\\', 'a{b="c"', 'a{,} 1', 'a{b=c} 1', 'a 1 2 3', '\0', '\ufeff'),
    fc.string({ maxLength: 40 }),
    fc.string({ unit: 'binary', maxLength: 40 }),
  );
  return fc
    .tuple(fc.array(line, { maxLength: 12 }), fc.constantFrom('\n', '\r\n', '\r', ''))
    .map(([ls, nl]) => ls.join(nl));
}

/** The parser: returns series or throws ExpositionError; series values are numbers, labels strings. */
function fuzzExpositionParser(n: number, seed: number): Tally {
  const t = tally();
  for (const text of fc.sample(expositionText(), { seed, numRuns: n })) {
    t.inputs++;
    for (const openMetrics of [false, true]) {
      try {
        const { series } = parseExposition(text, { openMetrics });
        for (const s of series) {
          if (typeof s.value !== 'number' || typeof s.name !== 'string')
            note(t, [`exposition ${JSON.stringify(text).slice(0, 120)}: a series of ${typeof s.value}`]);
          for (const v of Object.values(s.labels))
            if (typeof v !== 'string')
              note(t, [`exposition ${JSON.stringify(text).slice(0, 120)}: a label of ${typeof v}`]);
        }
      } catch (e) {
        if (!(e instanceof ExpositionError))
          note(t, [
            `exposition ${JSON.stringify(text).slice(0, 120)} (openMetrics ${openMetrics}): threw ${String(e)}`,
          ]);
      }
    }
  }
  t.rounds = 1;
  return t;
}

/** The connector over HTTP, served generated garbage (and some valid lines): bad quality with a status, named. */
async function fuzzPrometheusConnector(n: number, seed: number): Promise<Tally> {
  const t = tally();
  const bodies = fc.sample(
    fc.oneof(
      expositionText(),
      fc.constantFrom(
        'DCGM_FI_DEV_POWER_USAGE{gpu="0"} NaN',
        'DCGM_FI_DEV_POWER_USAGE{gpu="0"} +Inf\nDCGM_FI_DEV_POWER_USAGE{gpu="0"} 1',
        'DCGM_FI_DEV_POWER_USAGE{gpu="0"} 1e308\nDCGM_FI_DEV_POWER_USAGE{gpu="1"} 1e308',
        '<html>502 Bad Gateway</html>',
        'x'.repeat(2_000_000),
      ),
    ),
    { seed, numRuns: n },
  );
  let i = 0;
  let contentType = 'text/plain; version=0.0.4';
  const server = http.createServer((_req, res) => {
    res.setHeader('content-type', contentType);
    res.end(bodies[i] ?? '');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  const points = [
    promPoint('g0', 'DCGM_FI_DEV_POWER_USAGE gpu=0'),
    promPoint('sum', 'DCGM_FI_DEV_POWER_USAGE;agg=sum'),
  ];
  const c = promConnector({ url: `http://127.0.0.1:${port}/metrics`, timeoutMs: 2000 }, points);
  try {
    for (i = 0; i < bodies.length; i++) {
      contentType = i % 5 === 4 ? 'application/openmetrics-text; version=1.0.0' : 'text/plain; version=0.0.4';
      const got: SourceSample[] = [];
      try {
        await c.gather(async (s) => void got.push(...s));
      } catch (e) {
        const m = (e as Error)?.message ?? String(e);
        if (!/source "test"|GET http/.test(m)) note(t, [`prometheus body ${i}: unnamed error ${m.slice(0, 200)}`]);
      }
      t.inputs++;
      note(t, checkSamples(`prometheus body ${i} ${JSON.stringify(bodies[i]).slice(0, 80)}`, points, got));
    }
  } finally {
    await c.close();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
  t.rounds = 1;
  return t;
}

/** Job webhooks: generated bodies near the real shapes; parse returns or throws a QueryError naming a field. */
async function fuzzJobs(n: number, seed: number): Promise<Tally> {
  const t = tally();
  const anything = fc.anything({ maxDepth: 3, withBigInt: false, withNullPrototype: true, withObjectString: true });
  const time = fc.oneof(
    fc.double(),
    fc.constantFrom(1e308, -1e308, 2 ** 63, '2026-13-40T00:00:00Z', 'yesterday', '', '1e308'),
    fc.string(),
  );
  const racks = fc.oneof(fc.array(fc.constantFrom('A01', 'A02', '', 'A01', '__proto__')), anything);
  const slurm = fc.record(
    {
      event: fc.constantFrom('job_submit', 'job_start', 'job_end', 'job_bogus'),
      job_id: fc.oneof(fc.string(), fc.double(), fc.constant(null), anything),
      racks,
      gpus: fc.oneof(fc.integer(), fc.double(), fc.string(), anything),
      expected_kw: fc.oneof(fc.double(), fc.constantFrom(1e308, -1, 0), fc.string()),
      time,
      start_time: time,
      end_time: time,
      user: fc.oneof(fc.string(), anything),
      hall: fc.oneof(fc.string(), anything),
    },
    { requiredKeys: [] },
  );
  const k8s = fc.record(
    {
      kind: fc.constantFrom('Job', 'job'),
      metadata: fc.oneof(
        fc.record(
          {
            name: fc.oneof(fc.string(), anything),
            namespace: fc.string(),
            annotations: fc.oneof(
              fc.dictionary(
                fc.constantFrom('plenum.io/racks', 'plenum.io/expected-kw', 'plenum.io/gpus', 'plenum.io/hall', 'x'),
                fc.oneof(fc.string(), fc.constantFrom('NaN', 'Infinity', '-5', '1e309', 'A01,,A01')),
              ),
              anything,
            ),
          },
          { requiredKeys: [] },
        ),
        anything,
      ),
      status: fc.oneof(
        fc.record({ startTime: fc.string(), completionTime: fc.string(), failed: fc.double() }, { requiredKeys: [] }),
        anything,
      ),
    },
    { requiredKeys: [] },
  );
  const bodies = fc.sample(fc.oneof(slurm, k8s, anything), { seed, numRuns: n });
  const points: SourcePoint[] = (['active', 'expected_power', 'gpus'] as const).flatMap((sig) =>
    ['A01', 'A02'].map(
      (rack) =>
        ({
          ...promPoint(`${rack}/${sig}`, sig, { rack }, sig === 'active' ? 'boolean' : 'number'),
          source: { connector: 'jobs', source: 'jobs', address: sig },
        }) as SourcePoint,
    ),
  );
  const jobs = createJobsConnector({ name: 'jobs', intervalMs: 1000, options: {}, points });
  const got: SourceSample[] = [];
  await jobs.start(async (s) => void got.push(...s));
  try {
    for (const body of bodies) {
      t.inputs++;
      const shown = () => {
        try {
          return JSON.stringify(body)?.slice(0, 160);
        } catch {
          return String(body);
        }
      };
      let isJob: boolean;
      try {
        isJob = isJobWebhook(body);
      } catch (e) {
        note(t, [`jobs ${shown()}: isJobWebhook threw ${String(e)}`]);
        continue;
      }
      if (!isJob) continue;
      let job;
      try {
        job = parseJobWebhook(body, 1_700_000_000_000);
      } catch (e) {
        if (!(e instanceof QueryError) || !/body/.test(e.message))
          note(t, [`jobs ${shown()}: parse threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`]);
        continue;
      }
      got.length = 0;
      try {
        await jobs.accept(job, 1_700_000_000_000);
      } catch (e) {
        note(t, [`jobs ${shown()}: accept threw ${String(e)}`]);
        continue;
      }
      for (const s of got) {
        const p = points.find((x) => x.id === s.pointId);
        if (!p) note(t, [`jobs ${shown()}: a sample for an unknown point "${s.pointId}"`]);
        else if (typeof s.value !== p.valueType || (typeof s.value === 'number' && !Number.isFinite(s.value)))
          note(t, [`jobs ${shown()}: point "${s.pointId}" got ${String(s.value)}`]);
      }
    }
  } finally {
    await jobs.stop();
  }
  t.rounds = 1;
  return t;
}

/**
 * OPC UA nodes that hold what a number point cannot take (the typed fixture: an array, an empty String, a
 * ByteString, an empty LocalizedText), each read as a number point by the connector in poll mode, and a node that
 * does not exist: every one bad with a status, every round.
 */
async function fuzzOpcUa(rounds: number, log: (l: string) => void): Promise<Tally> {
  const t = tally();
  const { startTypedServer } = await import('../../backend/src/connectors/opcua/testkit');
  const { opcua } = await import('../../backend/src/connectors/opcua/index');
  const dir = tempDir('plenum-fuzz-opcua-');
  const server = await startTypedServer(dir);
  const points = ['array', 'string', 'bytes', 'text', 'missing'].map((id) =>
    opcuaPoint(`ua/${id}`, `nsu=${TYPED_NS};s=${id}`),
  );
  const c = opcua.init(
    opcuaSource({ endpoint: server.endpoint, pkiDir: `${dir}/client-pki`, mode: 'poll' } as never, points, 200),
  ) as PolledConnector;
  try {
    for (let i = 0; i < rounds; i++) {
      const got: SourceSample[] = [];
      try {
        await c.gather(async (x) => void got.push(...x));
      } catch (e) {
        const m = (e as Error)?.message ?? String(e);
        if (!/source "ua"/.test(m)) note(t, [`opcua round ${i}: unnamed error ${m.slice(0, 200)}`]);
      }
      t.inputs++;
      const where = `opcua round ${i}`;
      const p = checkSamples(where, points, got);
      for (const x of got) if (x.quality !== 'bad') p.push(`${where}: point "${x.pointId}" good: ${String(x.value)}`);
      note(t, p);
    }
    log(`opcua: ${rounds} rounds over ${points.length} odd nodes`);
  } finally {
    await c.close();
    await server.stop();
  }
  t.rounds = 1;
  return t;
}

const heapMiB = () => process.memoryUsage().heapUsed / 2 ** 20;

const protocolFuzz: Suite = async ({ short, seed, log }): Promise<SuiteResult> => {
  const before = activeHandles();
  const unhandled: string[] = [];
  const onRejection = (r: unknown) => unhandled.push(`unhandled rejection: ${String((r as Error)?.stack ?? r)}`);
  const onException = (e: Error) => unhandled.push(`uncaught exception: ${e.stack ?? String(e)}`);
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  const figures: Figure[] = [];
  const failures: string[] = [];
  const outer = short ? 3 : 20;
  const heap: number[] = [];
  const rss: number[] = [];
  const totals = new Map<string, Tally>();
  const add = (k: string, x: Tally) => {
    const t = totals.get(k) ?? tally();
    t.rounds += x.rounds;
    t.inputs += x.inputs;
    note(t, x.problems);
    totals.set(k, t);
  };
  try {
    for (let round = 0; round < outer; round++) {
      const s = seed + round;
      add('modbus', await fuzzModbus(short ? 3 : 10, s, round === 0 ? log : () => undefined));
      add('exposition parser', fuzzExpositionParser(short ? 2000 : 20_000, s));
      add('prometheus connector', await fuzzPrometheusConnector(short ? 100 : 500, s));
      add('job webhooks', await fuzzJobs(short ? 2000 : 20_000, s));
      if (round === 0 || !short) add('opcua', await fuzzOpcUa(short ? 5 : 20, round === 0 ? log : () => undefined));
      fullGc();
      heap.push(heapMiB());
      rss.push(process.memoryUsage().rss / 2 ** 20);
      log(`round ${round + 1}/${outer}: heap ${heap.at(-1)!.toFixed(0)} MiB, rss ${rss.at(-1)!.toFixed(0)} MiB`);
    }
  } finally {
    await new Promise((r) => setTimeout(r, 100));
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
  }
  for (const [k, t] of totals) {
    figures.push(
      figure(
        `protocol fuzz: ${k}: inputs without bad quality and a named error`,
        '0',
        `${t.problems.length === 20 ? '≥ 20' : t.problems.length} of ${t.inputs}`,
        t.problems.length === 0,
      ),
    );
    for (const p of t.problems) failures.push(p);
  }
  figures.push(
    figure(
      'protocol fuzz: unhandled rejections and uncaught exceptions',
      '0',
      String(unhandled.length),
      unhandled.length === 0,
    ),
  );
  failures.push(...unhandled.slice(0, 10));
  // first round warms up (JIT, fast-check's caches); flat from the second on
  const grow = (xs: number[]) => {
    const ys = xs.length > 2 ? xs.slice(1) : xs;
    const third = Math.max(1, Math.floor(ys.length / 3));
    const mean = (zs: number[]) => zs.reduce((a, b) => a + b, 0) / zs.length;
    return [mean(ys.slice(0, third)), mean(ys.slice(-third))] as const;
  };
  const [h0, h1] = grow(heap);
  figures.push(
    figure(
      'protocol fuzz: heap over rounds, first vs last third',
      'flat (≤ +25 % or + 20 MiB)',
      `${h0.toFixed(0)} → ${h1.toFixed(0)} MiB over ${outer} rounds`,
      h1 <= Math.max(h0 * 1.25, h0 + 20),
    ),
  );
  const [r0, r1] = grow(rss);
  figures.push(
    figure(
      'protocol fuzz: RSS over rounds, first vs last third',
      'flat (≤ +25 % or + 40 MiB)',
      `${r0.toFixed(0)} → ${r1.toFixed(0)} MiB`,
      r1 <= Math.max(r0 * 1.25, r0 + 40),
    ),
  );
  let leak: string | undefined;
  try {
    await expectNoLeaks(before, 3000);
  } catch (e) {
    leak = (e as Error).message;
  }
  figures.push(figure('protocol fuzz: sockets and timers left', '0', leak ?? '0', leak === undefined));
  return {
    suite: 'protocol-fuzz',
    figures,
    failures,
    notes: [
      `${short ? 'short' : 'full'} form, seed ${seed}: ${outer} rounds; rogue Modbus modes ${ROGUE_MODES.join(', ')}`,
    ],
  };
};

export default protocolFuzz;
