/**
 * Read planning: which requests read a set of addresses. Pure: no I/O, no state.
 *
 * Addresses are grouped per unit id and table, sorted by start, and merged greedily into contiguous reads of at
 * most `maxLength` registers (or bits) that span at most `maxGap` unused registers (bits) between two ranges.
 * Every address lies wholly inside one read. A greedy sweep in start order is optimal for this problem: the
 * read that holds the lowest-starting address can always be extended to take everything that fits after it
 * without costing a later read anything (plan.test.ts checks it against exhaustive search).
 */
import { TABLES, isBitTable, type Table } from './address';

/** What planning needs of an address. */
export interface Span {
  unitId: number;
  table: Table;
  /** first register or bit */
  address: number;
  /** registers or bits */
  length: number;
}

export interface ReadLimits {
  /** longest read, registers or bits */
  maxLength: number;
  /** unused registers or bits a read may span between two ranges */
  maxGap: number;
}

/** One request: `count` registers (or bits) of `table` from `start`, answering `items`. */
export interface ReadRequest<T extends Span> {
  unitId: number;
  table: Table;
  start: number;
  count: number;
  /** the addresses it reads, in start order */
  items: T[];
}

/**
 * Plans the reads for `items`. Requests come ordered by unit id, then table (hr, ir, coil, di), then start.
 * `limits` gives the bounds per unit and table (bit tables usually get their own).
 */
export function planReads<T extends Span>(
  items: readonly T[],
  limits: (unitId: number, table: Table) => ReadLimits,
): ReadRequest<T>[] {
  const groups = new Map<string, T[]>();
  for (const it of items) {
    const key = `${it.unitId}:${it.table}`;
    const g = groups.get(key);
    if (g) g.push(it);
    else groups.set(key, [it]);
  }
  const keys = [...groups.keys()].sort((a, b) => {
    const [ua, ta] = a.split(':') as [string, Table];
    const [ub, tb] = b.split(':') as [string, Table];
    return Number(ua) - Number(ub) || TABLES.indexOf(ta) - TABLES.indexOf(tb);
  });
  const out: ReadRequest<T>[] = [];
  for (const key of keys) {
    const group = [...(groups.get(key) as T[])].sort((a, b) => a.address - b.address || a.length - b.length);
    const first = group[0] as T;
    const { maxLength, maxGap } = limits(first.unitId, first.table);
    let current: ReadRequest<T> | undefined;
    for (const it of group) {
      if (it.length > maxLength) {
        throw new RangeError(
          `${it.table}=${it.address} spans ${it.length} ${isBitTable(it.table) ? 'bits' : 'registers'}, more than one read of at most ${maxLength}`,
        );
      }
      if (current) {
        const end = current.start + current.count;
        const gap = it.address - end;
        const newEnd = Math.max(end, it.address + it.length);
        if (gap <= maxGap && newEnd - current.start <= maxLength) {
          current.count = newEnd - current.start;
          current.items.push(it);
          continue;
        }
      }
      current = { unitId: it.unitId, table: it.table, start: it.address, count: it.length, items: [it] };
      out.push(current);
    }
  }
  return out;
}

/**
 * Splits a request into one read per distinct address range (no gaps filled), for devices that refuse a read
 * spanning registers they do not implement (exception 2) or longer than they accept (exception 3).
 */
export function splitRequest<T extends Span>(req: ReadRequest<T>): ReadRequest<T>[] {
  const byRange = new Map<string, ReadRequest<T>>();
  for (const it of req.items) {
    const key = `${it.address}:${it.length}`;
    const r = byRange.get(key);
    if (r) r.items.push(it);
    else byRange.set(key, { unitId: req.unitId, table: req.table, start: it.address, count: it.length, items: [it] });
  }
  return [...byRange.values()];
}
