import protobuf from 'protobufjs';

/**
 * The remote write 1.0 wire schema (https://prometheus.io/docs/specs/remote_write_spec/): prometheus/prompb
 * `remote.proto` (WriteRequest) and `types.proto` (TimeSeries, Label, Sample), trimmed to the fields 1.0 defines —
 * exemplars, histograms and metadata are optional and Plenum sends none. Parsed by protobufjs at load.
 */
const PROTO = (valueType: 'double' | 'fixed64') => `
syntax = "proto3";
package prometheus;

message WriteRequest {
  repeated TimeSeries timeseries = 1;
  reserved 2;
}

message TimeSeries {
  // sorted by name, unique names, no empty values
  repeated Label labels = 1;
  // in time order
  repeated Sample samples = 2;
}

message Label {
  string name = 1;
  string value = 2;
}

message Sample {
  ${valueType} value = 1;
  // Unix time in milliseconds
  int64 timestamp = 2;
}
`;

/**
 * The spec's schema (value: double), for reading requests back (tests, debugging). A signalling NaN such as the
 * stale marker arrives as some NaN here: V8 does not promise to keep a NaN's payload through a double.
 */
export const SpecWriteRequest = protobuf.parse(PROTO('double')).root.lookupType('prometheus.WriteRequest');

/**
 * What the sender encodes with: the same message with `Sample.value` declared `fixed64` — the same wire type
 * (I64) and the same 8 little-endian bytes as `double`, but written from two 32-bit halves, so the stale
 * marker's exact bits 0x7ff0000000000002 reach the receiver (Prometheus tests `math.Float64bits(v) ==
 * StaleNaN`; a quieted NaN would be stored as a plain NaN value).
 */
const wire = protobuf.parse(PROTO('fixed64')).root;
export const WireWriteRequest = wire.lookupType('prometheus.WriteRequest');
export const WireLabel = wire.lookupType('prometheus.Label');
