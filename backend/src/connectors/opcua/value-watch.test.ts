import { ValueWatch, type WatchParams } from './value-watch';

const P: WatchParams = { staleAfterMs: 1000, confirmAfterMs: 500, tolerance: 0 };

describe('ValueWatch', () => {
  it('makes a point due only after staleAfter without proof, longest unproven first', () => {
    const w = new ValueWatch<string>(() => P);
    w.watch('a', 0);
    w.watch('b', 100);
    expect(w.due(1000, 10)).toEqual([]);
    expect(w.due(1101, 10)).toEqual(['a', 'b']);
    expect(w.due(1101, 1)).toEqual(['a']);
    w.notified('a', 20.5, 0, 1050);
    expect(w.due(1101, 10)).toEqual(['b']);
  });

  it('takes an unchanged value as proof, and a change unreported past confirmAfter as missed', () => {
    const w = new ValueWatch<string>(() => P);
    w.watch('sp', 0);
    w.notified('sp', 21, 0, 10);
    expect(w.checked('sp', 21, 0, 2000)).toBe('unchanged');
    expect(w.due(2500, 10)).toEqual([]);
    expect(w.checked('sp', 22, 0, 4000)).toBe('suspect');
    expect(w.checked('sp', 22.1, 0, 4400)).toBe('suspect');
    expect(w.checked('sp', 22.2, 0, 4500)).toBe('missed');
  });

  it('clears a suspicion when the notification arrives after all', () => {
    const w = new ValueWatch<string>(() => P);
    w.watch('t', 0);
    w.notified('t', 1, 0, 0);
    expect(w.checked('t', 2, 0, 2000)).toBe('suspect');
    w.notified('t', 2, 0, 2100);
    expect(w.checked('t', 3, 0, 3200)).toBe('suspect');
  });

  it('never proves a point whose initial value did not arrive', () => {
    const w = new ValueWatch<string>(() => P);
    w.watch('x', 0);
    expect(w.checked('x', 5, 0, 2000)).toBe('suspect');
    expect(w.checked('x', 5, 0, 2600)).toBe('missed');
  });

  it('compares numbers within the absolute deadband, statuses only for a percent deadband, other values exactly', () => {
    const w = new ValueWatch<string>((k) => ({ ...P, tolerance: k === 'db' ? 0.5 : k === 'pct' ? 'status' : 0 }));
    for (const k of ['db', 'pct', 'text', 'obj']) w.watch(k, 0);
    w.notified('db', 10, 0, 0);
    w.notified('pct', 10, 0, 0);
    w.notified('text', 'run', 0, 0);
    w.notified('obj', { text: 'A', locale: 'en' }, 0, 0);
    expect(w.checked('db', 10.4, 0, 2000)).toBe('unchanged');
    expect(w.checked('db', 10.6, 0, 4000)).toBe('suspect');
    expect(w.checked('pct', 99, 0, 2000)).toBe('unchanged');
    expect(w.checked('pct', 99, 0x80310000, 4000)).toBe('suspect');
    expect(w.checked('text', 'run', 0, 2000)).toBe('unchanged');
    expect(w.checked('obj', { text: 'A', locale: 'en' }, 0, 2000)).toBe('unchanged');
    expect(w.checked('obj', { text: 'B', locale: 'en' }, 0, 4000)).toBe('suspect');
  });

  it('says how long every point has been without proof', () => {
    const w = new ValueWatch<string>(() => P);
    expect(w.silentMs(5000)).toBe(0);
    w.watch('a', 0);
    w.watch('b', 0);
    w.notified('b', 1, 0, 300);
    expect(w.silentMs(1300)).toBe(1000);
    w.clear();
    expect(w.silentMs(9000)).toBe(0);
  });
});
