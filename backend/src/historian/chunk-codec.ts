import type { ValueType } from '@plenum/model';
import { ByteReader, ByteWriter } from './byte-io';
import {
  readNumbers,
  readRuns,
  readStrings,
  readTimestamps,
  writeNumbers,
  writeRuns,
  writeStrings,
  writeTimestamps,
} from './columns';
import { readSection, writeSection } from './sections';
import { VALUE_TYPE_BY_CODE, VALUE_TYPE_CODE, type Series } from './series';

/**
 * A raw chunk: the samples of one point inside one hour, columnar.
 *
 * Layout: format byte, value type byte, n (varint), then four sections (see sections.ts), each deflated on its
 * own: timestamps (deltas from the typical period), values (decimal-scaled deltas |
 * shuffled float64 | boolean runs | JSON strings), quality runs, rawStatus runs.
 */

const CHUNK_FORMAT = 2;

function column(fill: (w: ByteWriter) => void, sizeHint: number): Uint8Array {
  const w = new ByteWriter(sizeHint);
  fill(w);
  return w.view();
}

export function encodeChunk(s: Series, valueType: ValueType): Buffer {
  const out = new ByteWriter(64 + s.n * 2);
  out.byte(CHUNK_FORMAT);
  out.byte(VALUE_TYPE_CODE[valueType]);
  out.uvarint(s.n);
  const hint = 16 + s.n * 2;
  writeSection(
    out,
    column((w) => writeTimestamps(w, s.ts, s.n), hint),
  );
  writeSection(
    out,
    column((w) => {
      if (valueType === 'string') writeStrings(w, s.str ?? [], s.n);
      else if (valueType === 'boolean') writeRuns(w, s.num, s.n);
      else writeNumbers(w, s.num, s.n);
    }, hint),
  );
  writeSection(
    out,
    column((w) => writeRuns(w, s.quality, s.n), 16),
  );
  writeSection(
    out,
    column((w) => writeRuns(w, s.rawStatus, s.n), 16),
  );
  return Buffer.from(out.view());
}

export function decodeChunk(blob: Uint8Array): { series: Series; valueType: ValueType } {
  const r = new ByteReader(blob);
  const { valueType, n } = readHeader(r);
  const series: Series = {
    n,
    ts: new Float64Array(n),
    num: new Float64Array(valueType === 'string' ? 0 : n),
    str: valueType === 'string' ? [] : null,
    quality: new Uint8Array(n),
    rawStatus: new Uint32Array(n),
  };
  readBody(r, valueType, n, series, 0);
  return { series, valueType };
}

/** Column arrays a reader of many chunks fills (decodeChunkInto); rawStatus null: not decoded. */
export interface ColumnSink {
  ts: Float64Array;
  num: Float64Array;
  /** a string point's values, appended in order */
  str: string[] | null;
  quality: Uint8Array;
  rawStatus: Uint32Array | null;
}

/**
 * Decodes a chunk into the sink's arrays from index `at` (their capacity must hold the chunk's n, which its row
 * has); returns n. No array per chunk and no copy into a joined series afterwards.
 */
export function decodeChunkInto(blob: Uint8Array, sink: ColumnSink, at: number): number {
  const r = new ByteReader(blob);
  const { valueType, n } = readHeader(r);
  if ((valueType === 'string') !== (sink.str !== null))
    throw new RangeError(`chunk of ${valueType} values read as ${sink.str ? 'strings' : 'numbers'}`);
  readBody(r, valueType, n, sink, at);
  return n;
}

function readHeader(r: ByteReader): { valueType: ValueType; n: number } {
  const format = r.byte();
  if (format !== CHUNK_FORMAT) throw new RangeError(`unsupported chunk format ${format}`);
  const valueType = VALUE_TYPE_BY_CODE[r.byte()];
  if (!valueType) throw new RangeError('corrupt chunk: unknown value type');
  return { valueType, n: r.uvarint() };
}

function readBody(r: ByteReader, valueType: ValueType, n: number, out: ColumnSink, at: number): void {
  readTimestamps(new ByteReader(readSection(r)), n, out.ts, at);
  const values = new ByteReader(readSection(r));
  if (valueType === 'string') out.str!.push(...readStrings(values, n));
  else if (valueType === 'boolean') readRuns(values, out.num, at, n);
  else readNumbers(values, n, out.num, at);
  readRuns(new ByteReader(readSection(r)), out.quality, at, n);
  if (out.rawStatus) readRuns(new ByteReader(readSection(r)), out.rawStatus, at, n);
}
