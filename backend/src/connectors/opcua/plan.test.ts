import { chunks, effectiveLimit, planMonitoredItems, type MonitorParams } from './plan';

const base: MonitorParams = { samplingIntervalMs: 1000, queueSize: 10, deadband: { type: 'none', value: 0 } };

describe('monitored item planning', () => {
  it('cuts points into calls of ≤ perCall within subscriptions of ≤ perSubscription', () => {
    const items = Array.from({ length: 35 }, (_, i) => i);
    const plan = planMonitoredItems(items, () => base, { perCall: 10, perSubscription: 20 });
    expect(plan.map((s) => s.calls.map((c) => c.items.length))).toEqual([
      [10, 10],
      [10, 5],
    ]);
    expect(plan.flatMap((s) => s.calls.flatMap((c) => c.items))).toEqual(items);
  });

  it('groups equal parameters so mixed overrides cost few calls, keeping the order within a group', () => {
    const fast = { ...base, samplingIntervalMs: 100 };
    const items = Array.from({ length: 12 }, (_, i) => i);
    const plan = planMonitoredItems(items, (i) => (i % 3 === 0 ? fast : base), {
      perCall: 1000,
      perSubscription: 1000,
    });
    expect(plan).toHaveLength(1);
    expect(plan[0]!.calls.map((c) => [c.params.samplingIntervalMs, c.items])).toEqual([
      [1000, [1, 2, 4, 5, 7, 8, 10, 11]],
      [100, [0, 3, 6, 9]],
    ]);
  });

  it('never exceeds either limit, whatever the mix (random plans)', () => {
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let run = 0; run < 200; run++) {
      const n = Math.floor(rnd() * 300);
      const perCall = 1 + Math.floor(rnd() * 50);
      const perSubscription = 1 + Math.floor(rnd() * 120);
      const kinds = 1 + Math.floor(rnd() * 4);
      const params = Array.from({ length: n }, () => ({ ...base, queueSize: 1 + Math.floor(rnd() * kinds) }));
      const plan = planMonitoredItems(
        params.map((_, i) => i),
        (i) => params[i]!,
        { perCall, perSubscription },
      );
      const all = plan.flatMap((s) => s.calls.flatMap((c) => c.items)).sort((a, b) => a - b);
      expect(all).toEqual(params.map((_, i) => i));
      for (const s of plan) {
        expect(s.calls.reduce((k, c) => k + c.items.length, 0)).toBeLessThanOrEqual(perSubscription);
        for (const c of s.calls) {
          expect(c.items.length).toBeLessThanOrEqual(perCall);
          for (const i of c.items) expect(params[i]!.queueSize).toBe(c.params.queueSize);
        }
      }
      expect(plan).toHaveLength(Math.ceil(n / perSubscription));
    }
  });

  it('takes the smaller of our limit and the server’s, ignoring 0 (no limit)', () => {
    expect(effectiveLimit(1000, 10)).toBe(10);
    expect(effectiveLimit(1000, 0)).toBe(1000);
    expect(effectiveLimit(1000, undefined)).toBe(1000);
    expect(effectiveLimit(50, 5000)).toBe(50);
    expect(chunks([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
  });
});
