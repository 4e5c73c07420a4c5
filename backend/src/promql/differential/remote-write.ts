import protobuf from 'protobufjs';
import { compress } from 'snappyjs';

/**
 * Prometheus remote write 1.0 (https://prometheus.io/docs/specs/remote_write_spec/): a `prometheus.WriteRequest`
 * protobuf, snappy block-compressed, POSTed to `/api/v1/write`. protobufjs (the maintained JS protobuf library)
 * encodes the message from the schema below, which is prompb/types.proto trimmed to the fields remote write 1.0
 * needs; snappyjs (pure JS, no native build step, so nothing for npm's allowScripts) does the block compression.
 *
 * Sample.value is declared `fixed64` rather than `double`: the same wire type and 8 little-endian bytes, but the
 * bits are given exactly — V8 quiets signalling NaNs, which would turn Prometheus' stale marker
 * (0x7ff0000000000002) into a plain NaN on its way through a Float64Array.
 */
const SCHEMA = {
  nested: {
    prometheus: {
      nested: {
        WriteRequest: { fields: { timeseries: { rule: 'repeated', type: 'TimeSeries', id: 1 } } },
        TimeSeries: {
          fields: {
            labels: { rule: 'repeated', type: 'Label', id: 1 },
            samples: { rule: 'repeated', type: 'Sample', id: 2 },
          },
        },
        Label: { fields: { name: { type: 'string', id: 1 }, value: { type: 'string', id: 2 } } },
        Sample: { fields: { value: { type: 'fixed64', id: 1 }, timestamp: { type: 'int64', id: 2 } } },
      },
    },
  },
};

const WriteRequest = protobuf.Root.fromJSON(SCHEMA).lookupType('prometheus.WriteRequest');

/** value `null` is written as Prometheus' stale marker */
export interface WriteSeries {
  labels: Record<string, string>;
  t: number[];
  v: Array<number | null>;
}

const STALE_BITS = { low: 0x00000002, high: 0x7ff00000, unsigned: true };

function bits(v: number | null): { low: number; high: number; unsigned: boolean } {
  if (v === null) return STALE_BITS;
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, v, true);
  return { low: dv.getUint32(0, true), high: dv.getUint32(4, true), unsigned: true };
}

export function encodeWriteRequest(series: readonly WriteSeries[]): Uint8Array {
  const message = WriteRequest.fromObject({
    timeseries: series.map((s) => ({
      labels: Object.keys(s.labels)
        .sort()
        .map((name) => ({ name, value: s.labels[name] })),
      samples: s.t.map((t, i) => ({ value: bits(s.v[i]!), timestamp: t })),
    })),
  });
  return compress(WriteRequest.encode(message).finish());
}

/** Writes the series to a Prometheus started with --web.enable-remote-write-receiver. */
export async function remoteWrite(baseUrl: string, series: readonly WriteSeries[]): Promise<void> {
  const res = await fetch(`${baseUrl}/api/v1/write`, {
    method: 'POST',
    headers: {
      'Content-Encoding': 'snappy',
      'Content-Type': 'application/x-protobuf',
      'X-Prometheus-Remote-Write-Version': '0.1.0',
    },
    body: new Uint8Array(encodeWriteRequest(series)),
  });
  if (!res.ok) throw new Error(`remote write: ${res.status} ${await res.text()}`);
}
