import { STATUS_MISSING, STATUS_OK, STATUS_STALE, valueStatus } from './status';

describe('valueStatus', () => {
  const now = 1_000_000;
  const value = Float64Array.from([20, NaN, 21, 22, 23]);
  const time = Float64Array.from([now - 1000, now, now - 600_001, now - 600_000, NaN]);

  it('marks missing values, and values older than the limit at the end of the range as stale', () => {
    expect([...valueStatus(value, time, now, 600_000)]).toEqual([
      STATUS_OK,
      STATUS_MISSING,
      STATUS_STALE,
      STATUS_OK,
      STATUS_OK, // no time: its age is unknown, so never stale
    ]);
  });

  it('never marks stale without a limit', () => {
    expect([...valueStatus(value, time, now, undefined)]).toEqual([0, 1, 0, 0, 0]);
  });
});
