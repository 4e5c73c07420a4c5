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
  const format = r.byte();
  if (format !== CHUNK_FORMAT) throw new RangeError(`unsupported chunk format ${format}`);
  const valueType = VALUE_TYPE_BY_CODE[r.byte()];
  if (!valueType) throw new RangeError('corrupt chunk: unknown value type');
  const n = r.uvarint();
  const ts = readTimestamps(new ByteReader(readSection(r)), n);
  const values = new ByteReader(readSection(r));
  let num: Float64Array = new Float64Array(0);
  let str: string[] | null = null;
  if (valueType === 'string') str = readStrings(values, n);
  else if (valueType === 'boolean') num = readRuns(values, new Float64Array(n));
  else num = readNumbers(values, n);
  const quality = readRuns(new ByteReader(readSection(r)), new Uint8Array(n));
  const rawStatus = readRuns(new ByteReader(readSection(r)), new Uint32Array(n));
  return { series: { n, ts, num, str, quality, rawStatus }, valueType };
}
