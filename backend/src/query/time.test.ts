import { parseRange, parseTime } from './time';

const now = Date.UTC(2026, 10, 25, 12);

describe('parseTime', () => {
  it('reads Unix ms, digit strings, ISO strings and now-relative times', () => {
    expect(parseTime(now, 'f', now)).toBe(now);
    expect(parseTime(String(now), 'f', now)).toBe(now);
    expect(parseTime('2026-11-25T12:00:00.000Z', 'f', now)).toBe(now);
    expect(parseTime('now', 'f', now)).toBe(now);
    expect(parseTime('now-6h', 'f', now)).toBe(now - 6 * 3_600_000);
    expect(parseTime('now+30m', 'f', now)).toBe(now + 30 * 60_000);
  });

  it('names the field and the expectation', () => {
    expect(() => parseTime('yesterday', 'range.from', now)).toThrow('range.from: "yesterday" is not a time');
    expect(() => parseTime(5, 'range.to', now)).toThrow('range.to: 1970-01-01T00:00:00.005Z is outside 2000-01-01');
  });
});

describe('parseRange', () => {
  it('rejects empty, inverted and absurd ranges', () => {
    expect(() => parseRange({ from: now, to: now }, 'range', now)).toThrow('range: to (');
    expect(() => parseRange({ from: '2001-01-01T00:00:00Z', to: '2030-01-01T00:00:00Z' }, 'range', now)).toThrow(
      'range: spans more than 10 years',
    );
    expect(parseRange({ from: 'now-1h', to: 'now' }, 'range', now)).toEqual({ from: now - 3_600_000, to: now });
  });
});
