import { uncompress } from 'snappyjs';
import { SpecWriteRequest } from './prompb';
import {
  decodeWriteRequest,
  encodeProtobuf,
  encodeProtobufWithProtobufjs,
  encodeWriteRequest,
  isStaleNaN,
  PROTOCOL_HEADERS,
  sortedLabels,
  STALE_NAN,
  toWireSeries,
  valueBits,
  type WriteSeries,
} from './write-request';

interface SpecMessage {
  timeseries: Array<{
    labels: Array<{ name: string; value: string }>;
    samples: Array<{ value: number; timestamp: number }>;
  }>;
}

/** decoded with the spec's own schema (value: double), as a receiver reads it */
function specDecode(body: Uint8Array): SpecMessage {
  const m = SpecWriteRequest.decode(uncompress(body));
  return SpecWriteRequest.toObject(m, { longs: Number, defaults: true }) as SpecMessage;
}

describe('WriteRequest encoding (remote write 1.0)', () => {
  it('round-trips labels, values and timestamps through snappy and the spec schema', () => {
    const series: WriteSeries[] = [
      {
        labels: { __name__: 'plenum_power_kilowatts', rack: 'A01', site: 's' },
        t: [1000, 2000, 3000],
        v: [1.5, -0, 1e300],
      },
      { labels: { __name__: 'plenum_state', point: 'p' }, t: [1_767_225_600_123], v: [0] },
    ];
    const body = encodeWriteRequest(series.map(toWireSeries));
    const m = specDecode(body);
    expect(m.timeseries).toEqual([
      {
        labels: [
          { name: '__name__', value: 'plenum_power_kilowatts' },
          { name: 'rack', value: 'A01' },
          { name: 'site', value: 's' },
        ],
        samples: [
          { value: 1.5, timestamp: 1000 },
          { value: -0, timestamp: 2000 },
          { value: 1e300, timestamp: 3000 },
        ],
      },
      {
        labels: [
          { name: '__name__', value: 'plenum_state' },
          { name: 'point', value: 'p' },
        ],
        samples: [{ value: 0, timestamp: 1_767_225_600_123 }],
      },
    ]);
  });

  it("writes the stale marker's exact bits 0x7ff0000000000002", () => {
    const body = encodeWriteRequest([toWireSeries({ labels: { __name__: 'x' }, t: [5, 6], v: [null, 2] })]);
    const d = decodeWriteRequest(body);
    expect(d[0]!.samples).toEqual([
      { ts: 5, value: NaN, stale: true },
      { ts: 6, value: 2, stale: false },
    ]);
    // the raw protobuf: field 1 of Sample, wire type 1 (I64), then the 8 bytes little-endian
    const raw = Buffer.from(uncompress(body));
    expect(raw.includes(Buffer.from([0x09, 0x02, 0, 0, 0, 0, 0, 0xf0, 0x7f]))).toBe(true);
    // a NaN computed in JS is not the stale marker
    const nan = valueBits(NaN);
    expect(isStaleNaN(nan.lo, nan.hi)).toBe(false);
    expect(isStaleNaN(STALE_NAN.lo, STALE_NAN.hi)).toBe(true);
  });

  it('writes the same bytes as protobufjs from the .proto, negative and large timestamps too', () => {
    const series: WriteSeries[] = [
      {
        labels: { __name__: 'a', point: 'é/ü', x: 'y'.repeat(300) },
        t: [0, 1, 127, 128, 2 ** 40, 2 ** 53 - 1, -1, -86_400_000],
        v: [0, -0, 1.5, null, NaN, 1e-300, -7, 3],
      },
      { labels: { __name__: 'b' }, t: [1_767_225_600_000], v: [42] },
    ];
    const wire = series.map(toWireSeries);
    expect(Buffer.from(encodeProtobuf(wire)).equals(Buffer.from(encodeProtobufWithProtobufjs(wire)))).toBe(true);
    expect(decodeWriteRequest(encodeWriteRequest(wire))[0]!.samples.map((x) => x.ts)).toEqual(series[0]!.t);
  });

  it('sorts labels by name in byte order (uppercase before __name__, as Prometheus compares)', () => {
    expect(sortedLabels({ rack: 'A', __name__: 'm', Edge: 'e', a: '1', _x: '2' }).map((l) => l.name)).toEqual([
      'Edge',
      '__name__',
      '_x',
      'a',
      'rack',
    ]);
  });

  it('names the protocol headers of 1.0', () => {
    expect(PROTOCOL_HEADERS).toEqual({
      'Content-Encoding': 'snappy',
      'Content-Type': 'application/x-protobuf',
      'X-Prometheus-Remote-Write-Version': '0.1.0',
    });
  });
});
