import { formatAge, formatDuration, formatValue, shortPoint } from './format';

describe('format', () => {
  it('shortens point ids to asset and signal, as the backend’s titles do', () => {
    expect(shortPoint('sim/hall1/-/-/crah1/supply_setpoint')).toBe('crah1/supply_setpoint');
    expect(shortPoint('sim/hall1/A/A01/gpu/power_limit')).toBe('gpu/power_limit');
    expect(shortPoint('crah1/fan_min')).toBe('crah1/fan_min');
    expect(shortPoint('x')).toBe('x');
  });

  it('writes values with at most three decimals, a hand-back as BMS', () => {
    expect(formatValue(18.25)).toBe('18.25');
    expect(formatValue(17.123456)).toBe('17.123');
    expect(formatValue(0)).toBe('0');
    expect(formatValue(null)).toBe('BMS');
    expect(formatValue(undefined)).toBe('—');
    expect(formatValue(NaN)).toBe('—');
  });

  it('counts down in seconds, minutes and hours', () => {
    expect(formatDuration(44_600)).toBe('45 s');
    expect(formatDuration(-3000)).toBe('0 s');
    expect(formatDuration(185_000)).toBe('3 min 05 s');
    expect(formatDuration(7_800_000)).toBe('2 h 10 min');
  });

  it('says how long ago', () => {
    const now = 1_000_000_000;
    expect(formatAge(now - 2000, now)).toBe('just now');
    expect(formatAge(now - 12_000, now)).toBe('12 s ago');
    expect(formatAge(now - 185_000, now)).toBe('3 min ago');
    expect(formatAge(now - 2 * 3600_000, now)).toBe('2 h ago');
    expect(formatAge(now - 4 * 86_400_000, now)).toBe('4 d ago');
  });
});
