import type { Table } from './address';
import { planReads, splitRequest, type ReadLimits, type Span } from './plan';

const REG: ReadLimits = { maxLength: 125, maxGap: 10 };
const at = (address: number, length = 1, table: Table = 'hr', unitId = 1): Span => ({ unitId, table, address, length });

/** Whether one read can hold all of `group`: span ≤ maxLength and no uncovered run longer than maxGap. */
function fits(group: readonly Span[], l: ReadLimits): boolean {
  const s = [...group].sort((a, b) => a.address - b.address);
  const start = s[0]!.address;
  let end = start;
  for (const it of s) {
    if (it.address - end > l.maxGap) return false;
    end = Math.max(end, it.address + it.length);
  }
  return end - start <= l.maxLength;
}

/** Span of a group: only this is monotone while a group grows (a later item may fill a gap), so only it prunes. */
function span(group: readonly Span[]): number {
  return Math.max(...group.map((g) => g.address + g.length)) - Math.min(...group.map((g) => g.address));
}

/** The fewest reads for `items` (one unit and table), by exhaustive search over set partitions. */
function optimum(items: readonly Span[], l: ReadLimits): number {
  let best = items.length;
  const groups: Span[][] = [];
  const place = (i: number) => {
    if (i === items.length) {
      if (groups.every((g) => fits(g, l))) best = Math.min(best, groups.length);
      return;
    }
    const it = items[i]!;
    for (const g of groups) {
      g.push(it);
      if (span(g) <= l.maxLength) place(i + 1);
      g.pop();
    }
    if (groups.length + 1 >= best) return;
    groups.push([it]);
    place(i + 1);
    groups.pop();
  };
  place(0);
  return best;
}

/** Deterministic PRNG (mulberry32), so a failure reproduces. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('planReads', () => {
  it('joins a register map into the fewest reads within the limits', () => {
    // a PDU: 3 phase voltages (float32 at 0, 2, 4), currents (float32 at 10, 12, 14), energy (float64 at 200),
    // a name (string:8 at 300), status bits (bit of 310)
    const pdu = [
      at(0, 2),
      at(2, 2),
      at(4, 2),
      at(10, 2),
      at(12, 2),
      at(14, 2),
      at(200, 4),
      at(300, 8),
      at(310),
      at(310),
    ];
    const reads = planReads(pdu, () => REG);
    expect(reads.map((r) => [r.start, r.count])).toEqual([
      [0, 16],
      [200, 4],
      [300, 11],
    ]);
    expect(reads.length).toBe(optimum(pdu, REG));
    expect(reads.flatMap((r) => r.items)).toHaveLength(pdu.length);
  });

  it('never fills a gap wider than maxGap, and fills those up to it', () => {
    // at(0) ends at 1: at(11) leaves 10 unused registers between (joined), at(12) leaves 11 (not joined)
    expect(planReads([at(0), at(11)], () => REG).map((r) => r.count)).toEqual([12]);
    expect(planReads([at(0), at(12)], () => REG).map((r) => r.count)).toEqual([1, 1]);
    expect(planReads([at(0), at(1)], () => ({ maxLength: 125, maxGap: 0 })).map((r) => r.count)).toEqual([2]);
  });

  it('never reads more than maxLength, and splits 250 contiguous registers into two full reads', () => {
    const items = Array.from({ length: 125 }, (_, i) => at(i * 2, 2));
    const reads = planReads(items, () => REG);
    expect(reads.map((r) => r.count)).toEqual([124, 124, 2]);
    expect(reads.length).toBe(Math.ceil(250 / 124)); // a float32 cannot straddle two reads
    const bits = Array.from({ length: 4001 }, (_, i) => at(i, 1, 'coil'));
    expect(planReads(bits, () => ({ maxLength: 2000, maxGap: 160 })).map((r) => r.count)).toEqual([2000, 2000, 1]);
  });

  it('keeps units and tables apart, ordered by unit then hr, ir, coil, di', () => {
    const reads = planReads(
      [at(0, 1, 'di', 2), at(0, 1, 'coil', 1), at(1, 1, 'hr', 2), at(0, 1, 'ir', 1), at(0, 1, 'hr', 1)],
      () => REG,
    );
    expect(reads.map((r) => `${r.unitId}:${r.table}`)).toEqual(['1:hr', '1:ir', '1:coil', '2:hr', '2:di']);
  });

  it('uses the limits of each unit and table', () => {
    const reads = planReads([at(0, 2, 'hr', 1), at(4, 2, 'hr', 1), at(0, 2, 'hr', 2), at(4, 2, 'hr', 2)], (unit) =>
      unit === 2 ? { maxLength: 4, maxGap: 10 } : REG,
    );
    expect(reads.map((r) => [r.unitId, r.start, r.count])).toEqual([
      [1, 0, 6],
      [2, 0, 2],
      [2, 4, 2],
    ]);
  });

  it('refuses an address longer than one read', () => {
    expect(() => planReads([at(0, 126)], () => REG)).toThrow(
      'hr=0 spans 126 registers, more than one read of at most 125',
    );
  });

  it('matches the optimum on 1500 random maps (overlaps, nesting, tight limits)', () => {
    const rand = rng(42);
    for (let n = 0; n < 1500; n++) {
      const l: ReadLimits = { maxLength: 4 + Math.floor(rand() * 12), maxGap: Math.floor(rand() * 5) };
      const count = 1 + Math.floor(rand() * 8);
      const items = Array.from({ length: count }, () =>
        at(Math.floor(rand() * 30), 1 + Math.floor(rand() * Math.min(4, l.maxLength))),
      );
      const reads = planReads(items, () => l);
      for (const r of reads) {
        expect(r.count).toBeLessThanOrEqual(l.maxLength);
        expect(fits(r.items, l)).toBe(true);
        for (const it of r.items) {
          expect(it.address).toBeGreaterThanOrEqual(r.start);
          expect(it.address + it.length).toBeLessThanOrEqual(r.start + r.count);
        }
      }
      expect(reads.flatMap((r) => r.items)).toHaveLength(items.length);
      if (reads.length !== optimum(items, l))
        throw new Error(
          JSON.stringify({
            l,
            items: items.map((i) => [i.address, i.length]),
            reads: reads.map((r) => [r.start, r.count]),
            optimum: optimum(items, l),
          }),
        );
    }
  });
});

describe('splitRequest', () => {
  it('reads each distinct range on its own, keeping points that share one together', () => {
    const [req] = planReads([at(0), at(8), at(8), at(2, 2)], () => REG);
    expect(splitRequest(req!).map((r) => [r.start, r.count, r.items.length])).toEqual([
      [0, 1, 1],
      [2, 2, 1],
      [8, 1, 2],
    ]);
  });
});
