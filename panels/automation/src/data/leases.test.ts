import { leaseRows } from './leases';
import type { LeaseView } from './model';

const lease = (patch: Partial<LeaseView>): LeaseView => ({
  pointId: 'sim/hall1/-/-/crah1/supply_setpoint',
  owner: 'rule:inlet-high@v1',
  priority: 5,
  value: 17,
  saved: 18,
  leaseUntil: 100_000,
  release: 'restore',
  ...patch,
});

describe('leaseRows', () => {
  it('shows point, owner, value, what it returns to and the time left, soonest first', () => {
    const rows = leaseRows(
      [
        lease({}),
        lease({
          pointId: 'sim/hall1/-/-/crah2/fan_override',
          owner: 'operator:operate/alice',
          priority: 1,
          value: 80,
          saved: null,
          release: 'relinquish',
          leaseUntil: 10_000,
        }),
      ],
      0
    );
    expect(rows.map((r) => [r.point, r.owner, r.value, r.returnsTo, r.left, r.expiring])).toEqual([
      ['crah2/fan_override', 'operator:operate/alice', '80', 'BMS', '10 s', true],
      ['crah1/supply_setpoint', 'rule:inlet-high@v1', '17', '18', '1 min 40 s', false],
    ]);
  });

  it('never counts below zero, and a restore without a saved value goes back to the BMS', () => {
    const [row] = leaseRows([lease({ saved: null, leaseUntil: 5_000 })], 9_000);
    expect([row!.leftMs, row!.left, row!.returnsTo]).toEqual([0, '0 s', 'BMS']);
  });
});
