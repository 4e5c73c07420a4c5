import type { Proposal } from './model';
import { proposalLists } from './proposals';

const proposal = (id: number, patch: Partial<Proposal> = {}): Proposal => ({
  id,
  rule: 'inlet-high',
  version: 1,
  pointId: 'sim/hall1/-/-/crah1/supply_setpoint',
  value: 17,
  from: 18,
  reason: 'inlet A03 at 27.4 °C above 27 for 2 min',
  priority: 5,
  createdAt: id * 1000,
  expiresAt: id * 1000 + 900_000,
  status: 'pending',
  ...patch,
});

describe('proposalLists', () => {
  it('puts pending proposals oldest first with the time until they expire', () => {
    const { pending, decided } = proposalLists([proposal(2), proposal(1)], 1000);
    expect(pending.map((p) => [p.id, p.point, p.from, p.to, p.note])).toEqual([
      [1, 'crah1/supply_setpoint', '18', '17', 'expires in 15 min 00 s'],
      [2, 'crah1/supply_setpoint', '18', '17', 'expires in 15 min 01 s'],
    ]);
    expect(decided).toEqual([]);
  });

  it('lists decided proposals newest first with who decided, at most `recent`', () => {
    const { decided } = proposalLists(
      [
        proposal(1, { status: 'approved', decidedBy: 'operator:operate/alice', decidedAt: 5000 }),
        proposal(2, { status: 'rejected', decidedBy: 'operator:operate/bob', decidedAt: 9000, result: 'maintenance' }),
        proposal(3, { status: 'expired', decidedBy: 'system:engine', decidedAt: 7000 }),
      ],
      10_000,
      2
    );
    expect(decided.map((p) => p.note)).toEqual([
      'rejected by operator:operate/bob: maintenance',
      'expired by system:engine',
    ]);
  });

  it('marks a pending proposal past its expiry, and shows a hand-back as BMS', () => {
    const [row] = proposalLists([proposal(1, { value: null, expiresAt: 500 })], 1000).pending;
    expect([row!.expired, row!.note, row!.to]).toEqual([true, 'expiring', 'BMS']);
  });
});
