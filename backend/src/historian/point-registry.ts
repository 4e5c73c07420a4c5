import type Database from 'better-sqlite3';
import { VALUE_TYPES, type ValueType } from '@plenum/model';
import type { PointRow } from './chunk-store';
import { Head } from './head';
import { VALUE_TYPE_BY_CODE, VALUE_TYPE_CODE } from './series';
import type { HistorianPoint } from './types';

/** Everything the historian keeps in memory about one point. */
export interface PointState {
  /** integer key used in storage instead of the id */
  key: number;
  id: string;
  valueType: ValueType;
  head: Head;
  /** see the points table in database.ts */
  flushedFull: number;
  flushedPart: number;
  flushedBefore: number;
  /** the latest sample (by ts), −Infinity when none; value in storage form (booleans 0/1) */
  latestTs: number;
  /** a number or boolean point's latest value; apart from `latestStr` so that the field stays an unboxed double
   * (a field that may hold a string boxes every number stored into it: one heap object per sample, issue 14) */
  latestNum: number;
  /** a string point's latest value, null for other points */
  latestStr: string | null;
  latestQuality: number;
  latestStatus: number;
  /** number of the last commit that added samples to this point (checks flush policy once per commit) */
  lastCommit: number;
  /** samples in the point's pieces (heads written out at headMaxBytes), their oldest ts (Infinity when none) */
  spilled: number;
  spilledMinTs: number;
  /** their newest ts (−Infinity when none, Infinity when not known: pieces found on open), so a read of what came
   * after them (a live panel's last seconds) need not fetch and decode them */
  spilledMaxTs: number;
}

const TYPE_PLURAL: Readonly<Record<ValueType, string>> = { number: 'numbers', boolean: 'booleans', string: 'strings' };

export function typePlural(t: ValueType): string {
  return TYPE_PLURAL[t];
}

/** Point id → integer key and value type, persisted in the points table; a point's type never changes. */
export class PointRegistry {
  private readonly byId = new Map<string, PointState>();
  private readonly byKey: Array<PointState | undefined> = [];
  private readonly insert: Database.Statement<[string, number]>;

  constructor(
    private readonly db: Database.Database,
    /** a head's flush size (HistorianTuning.headMaxBytes): its buffer grows to about that, not to a power of 2 */
    private readonly headBytes = Infinity,
  ) {
    this.insert = db.prepare('INSERT INTO points (id, value_type) VALUES (?, ?)');
    for (const row of db.prepare('SELECT * FROM points ORDER BY key').all() as PointRow[]) {
      const valueType = VALUE_TYPE_BY_CODE[row.value_type];
      if (!valueType) throw new Error(`point "${row.id}" has unknown stored value type ${row.value_type}`);
      const p = this.add(row.key, row.id, valueType);
      p.flushedFull = row.flushed_full;
      p.flushedPart = row.flushed_part;
      p.flushedBefore = row.flushed_before;
      if (row.last_ts !== null && row.last_value !== null) {
        p.latestTs = row.last_ts;
        if (typeof row.last_value === 'string') p.latestStr = row.last_value;
        else p.latestNum = row.last_value;
        p.latestQuality = row.last_quality ?? 0;
        p.latestStatus = row.last_status ?? 0;
      }
    }
  }

  private add(key: number, id: string, valueType: ValueType): PointState {
    const p: PointState = {
      key,
      id,
      valueType,
      head: new Head(valueType, this.headBytes),
      flushedFull: 0,
      flushedPart: 0,
      flushedBefore: 0,
      latestTs: -Infinity,
      latestNum: 0,
      latestStr: null,
      latestQuality: 0,
      latestStatus: 0,
      lastCommit: 0,
      spilled: 0,
      spilledMinTs: Infinity,
      spilledMaxTs: -Infinity,
    };
    this.byId.set(id, p);
    this.byKey[key] = p;
    return p;
  }

  get size(): number {
    return this.byId.size;
  }

  get(id: string): PointState | undefined {
    return this.byId.get(id);
  }

  byStorageKey(key: number): PointState | undefined {
    return this.byKey[key];
  }

  all(): IterableIterator<PointState> {
    return this.byId.values();
  }

  /** Validates the whole list first, then registers the new points in one transaction (all or nothing). */
  ensure(points: readonly HistorianPoint[]): void {
    if (!Array.isArray(points)) throw new TypeError('ensurePoints expects an array of {id, valueType}');
    const fresh = new Map<string, ValueType>();
    points.forEach((pt, i) => {
      const id: unknown = pt?.id;
      if (typeof id !== 'string' || id.length === 0) {
        throw new TypeError(`point #${i}: id must be a non-empty string, got ${JSON.stringify(id)}`);
      }
      const vt = pt.valueType;
      if (!VALUE_TYPES.includes(vt)) {
        throw new TypeError(
          `point "${id}": valueType must be one of ${VALUE_TYPES.join(', ')}, got ${JSON.stringify(vt)}`,
        );
      }
      const known = this.byId.get(id)?.valueType ?? fresh.get(id);
      if (known !== undefined && known !== vt) {
        throw new Error(
          `point "${id}" holds ${typePlural(known)}; its valueType cannot change to ${vt} (one field keeps one type forever)`,
        );
      }
      if (known === undefined) fresh.set(id, vt);
    });
    if (fresh.size === 0) return;
    const added: Array<[number, string, ValueType]> = [];
    this.db.transaction(() => {
      for (const [id, vt] of fresh) {
        added.push([Number(this.insert.run(id, VALUE_TYPE_CODE[vt]).lastInsertRowid), id, vt]);
      }
    })();
    for (const [key, id, vt] of added) this.add(key, id, vt);
  }
}

/** A point's latest value in storage form (booleans 0/1), as the staging log and the points table keep it. */
export function latestValueOf(p: PointState): number | string {
  return p.valueType === 'string' ? (p.latestStr ?? '') : p.latestNum;
}
