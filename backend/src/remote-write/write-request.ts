import { compress, uncompress } from 'snappyjs';
import { WireLabel, WireWriteRequest } from './prompb';

/**
 * Remote write 1.0 requests: a `prometheus.WriteRequest` protobuf (prompb.ts), snappy block-compressed (snappyjs:
 * pure JS, no native build), with the headers of PROTOCOL_HEADERS. Labels go sorted by name (byte order, as the
 * spec says; `__name__` is not special), samples of a series in time order.
 */

export interface Label {
  name: string;
  value: string;
}

/** A sample's value as the two little-endian 32-bit halves of its float64 (exact bits: see prompb.ts). */
export interface WireSample {
  /** Unix ms, an integer */
  ts: number;
  lo: number;
  hi: number;
}

export interface WireSeries {
  /** sorted by name (sortedLabels) */
  labels: readonly Label[];
  /** in time order */
  samples: readonly WireSample[];
}

export const PROTOCOL_HEADERS: Readonly<Record<string, string>> = {
  'Content-Encoding': 'snappy',
  'Content-Type': 'application/x-protobuf',
  'X-Prometheus-Remote-Write-Version': '0.1.0',
};

/** Prometheus' stale marker (model/value.StaleNaN): "this series has no value from here on". */
export const STALE_NAN = { lo: 0x00000002, hi: 0x7ff00000 } as const;

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** The float64 bits of a number (little-endian halves; the machine order of a typed array is LE on x86 and ARM). */
export function valueBits(v: number): { lo: number; hi: number } {
  f64[0] = v;
  return { lo: u32[0]!, hi: u32[1]! };
}

export function bitsValue(lo: number, hi: number): number {
  u32[0] = lo;
  u32[1] = hi;
  return f64[0]!;
}

export function isStaleNaN(lo: number, hi: number): boolean {
  return lo === STALE_NAN.lo && hi === STALE_NAN.hi;
}

/** Labels of a record, sorted by name in byte order (names are ASCII: Prometheus label names). */
export function sortedLabels(labels: Readonly<Record<string, string>>): Label[] {
  return Object.keys(labels)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((name) => ({ name, value: labels[name]! }));
}

/**
 * The protobuf body of a WriteRequest, before compression, byte for byte what protobufjs writes from the .proto
 * (encodeProtobufWithProtobufjs; the test compares the two) — but each series' labels are encoded once, by
 * protobufjs, and kept (a series is sent again in every request: its labels are most of the bytes), and the
 * samples' two fields are written straight into one buffer. A third of the sender's CPU went to building and
 * walking protobufjs' per-sample objects.
 */
export function encodeProtobuf(series: readonly WireSeries[]): Uint8Array {
  let size = 0;
  const bodies = new Array<number>(series.length);
  const labelParts = new Array<Uint8Array>(series.length);
  for (let i = 0; i < series.length; i++) {
    const s = series[i]!;
    const l = labelBytes(s.labels);
    labelParts[i] = l;
    let body = l.length;
    for (const x of s.samples) body += 2 + sampleSize(x);
    bodies[i] = body;
    size += 1 + varintSize(body) + body;
  }
  const out = Buffer.allocUnsafe(size);
  let o = 0;
  for (let i = 0; i < series.length; i++) {
    out[o++] = 0x0a; // WriteRequest.timeseries, length-delimited
    o = writeVarint(out, o, bodies[i]!);
    out.set(labelParts[i]!, o);
    o += labelParts[i]!.length;
    for (const x of series[i]!.samples) {
      out[o++] = 0x12; // TimeSeries.samples, length-delimited
      out[o++] = sampleSize(x); // < 128: one byte
      // proto3 leaves out a field at its default (+0.0, 0), as protobufjs does
      if (x.lo !== 0 || x.hi !== 0) {
        out[o++] = 0x09; // Sample.value, I64
        out.writeUInt32LE(x.lo >>> 0, o);
        out.writeUInt32LE(x.hi >>> 0, o + 4);
        o += 8;
      }
      if (x.ts !== 0) {
        out[o++] = 0x10; // Sample.timestamp, varint
        o = writeVarint(out, o, x.ts);
      }
    }
  }
  return out;
}

/** each series' label array → its encoded `repeated Label labels = 1` field (protobufjs), kept while the array lives */
const labelCache = new WeakMap<readonly Label[], Uint8Array>();

function labelBytes(labels: readonly Label[]): Uint8Array {
  let b = labelCache.get(labels);
  if (b) return b;
  const parts = labels.map((l) => WireLabel.encode(l).finish());
  b = Buffer.concat(parts.flatMap((p) => [Buffer.from([0x0a, ...varintBytes(p.length)]), p]));
  labelCache.set(labels, b);
  return b;
}

/** bytes of one Sample message: value (tag + 8) and timestamp (tag + varint), each left out at its default */
const sampleSize = (x: WireSample) => (x.lo !== 0 || x.hi !== 0 ? 9 : 0) + (x.ts !== 0 ? 1 + varintSize(x.ts) : 0);

/** a timestamp before 1970 is an int64 below 0: ten bytes of varint, as protobuf writes negative int64 */
function varintSize(v: number): number {
  if (v < 0) return 10;
  let n = 1;
  while (v >= 128) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}

function varintBytes(v: number): number[] {
  const b = Buffer.alloc(10);
  return [...b.subarray(0, writeVarint(b, 0, v))];
}

function writeVarint(out: Uint8Array, o: number, v: number): number {
  if (v < 0) {
    let x = BigInt.asUintN(64, BigInt(v));
    while (x >= 128n) {
      out[o++] = Number(x & 127n) | 0x80;
      x >>= 7n;
    }
    out[o++] = Number(x);
    return o;
  }
  while (v >= 128) {
    out[o++] = (v % 128) | 0x80;
    v = Math.floor(v / 128);
  }
  out[o++] = v;
  return o;
}

/** The same body through protobufjs' generated encoder: the reference encodeProtobuf is tested against. */
export function encodeProtobufWithProtobufjs(series: readonly WireSeries[]): Uint8Array {
  // plain objects straight to encode (no fromObject copy): fixed64 takes {low, high}, int64 a number
  return WireWriteRequest.encode({
    timeseries: series.map((s) => ({
      labels: s.labels,
      samples: s.samples.map((x) => ({ value: { low: x.lo, high: x.hi, unsigned: true }, timestamp: x.ts })),
    })),
  }).finish();
}

/** The request body: WriteRequest protobuf, snappy block format. */
export function encodeWriteRequest(series: readonly WireSeries[]): Uint8Array {
  return compress(encodeProtobuf(series));
}

export interface DecodedSeries {
  labels: Label[];
  samples: Array<{ ts: number; value: number; stale: boolean }>;
}

/** Reads a request body back (tests, debugging): snappy, then the WriteRequest, keeping the stale marker's bits. */
export function decodeWriteRequest(body: Uint8Array): DecodedSeries[] {
  const msg = WireWriteRequest.toObject(WireWriteRequest.decode(uncompress(body)), {
    longs: Object,
    defaults: true,
  }) as {
    timeseries?: Array<{
      labels?: Label[];
      samples?: Array<{ value: { low: number; high: number }; timestamp: { low: number; high: number } | number }>;
    }>;
  };
  const int64 = (t: { low: number; high: number } | number) =>
    typeof t === 'number' ? t : t.high * 2 ** 32 + (t.low >>> 0);
  return (msg.timeseries ?? []).map((s) => ({
    labels: (s.labels ?? []).map((l) => ({ name: l.name, value: l.value })),
    samples: (s.samples ?? []).map((x) => ({
      ts: int64(x.timestamp),
      value: bitsValue(x.value.low >>> 0, x.value.high >>> 0),
      stale: isStaleNaN(x.value.low >>> 0, x.value.high >>> 0),
    })),
  }));
}

// ---------------------------------------------------------------------------------------------------------------
// the simple form the PromQL differential test and bench write with (no queue: straight to a receiver)

/** A series with a label record; value `null` is written as the stale marker. */
export interface WriteSeries {
  labels: Record<string, string>;
  t: number[];
  v: Array<number | null>;
}

export function toWireSeries(s: WriteSeries): WireSeries {
  return {
    labels: sortedLabels(s.labels),
    samples: s.t.map((ts, i) => {
      const v = s.v[i];
      return { ts, ...(v === null || v === undefined ? STALE_NAN : valueBits(v)) };
    }),
  };
}

/** Writes the series in one request to `<baseUrl>/api/v1/write` (a Prometheus with the remote-write receiver). */
export async function remoteWrite(baseUrl: string, series: readonly WriteSeries[]): Promise<void> {
  const res = await fetch(`${baseUrl}/api/v1/write`, {
    method: 'POST',
    headers: PROTOCOL_HEADERS,
    body: new Uint8Array(encodeWriteRequest(series.map(toWireSeries))),
  });
  if (!res.ok) throw new Error(`remote write: ${res.status} ${await res.text()}`);
}
