import type { Point } from '@plenum/model';
import { errorText, matchSummary, pointSearch, tagOptions } from './editor-preview';

const point = (id: string, tags: string[]): Point =>
  ({ id, tags, quantity: 'temperature', unit: '°C', location: { site: 'dc1' } }) as Point;

describe('pointSearch', () => {
  it('adds the page size to the selector', () => {
    expect(pointSearch({ rack: ['r01'], quantity: ['$q'] }, 10)).toEqual({
      rack: ['r01'],
      quantity: ['$q'],
      pageSize: 10,
    });
  });
});

describe('matchSummary', () => {
  it.each([
    [0, 0, '0 points match'],
    [1, 1, '1 point matches'],
    [42, 10, '42 points match; the first 10:'],
  ])('%i found, %i shown', (total, shown, text) => {
    expect(matchSummary(total, shown)).toBe(text);
  });
});

describe('tagOptions', () => {
  it('lists each tag once, sorted, filtered by the typed text', () => {
    const points = [point('a', ['temp', 'inlet']), point('b', ['temp', 'outlet', 'Air'])];
    expect(tagOptions(points, '').map((o) => o.value)).toEqual(['Air', 'inlet', 'outlet', 'temp']);
    expect(tagOptions(points, 'LET').map((o) => o.value)).toEqual(['inlet', 'outlet']);
  });
});

describe('errorText', () => {
  it('shows the error message', () => {
    expect(errorText(new Error('cannot reach the Plenum backend'), 'point search')).toBe(
      'cannot reach the Plenum backend'
    );
    expect(errorText('boom', 'point search')).toBe('boom');
  });
  it('is never blank', () => {
    expect(errorText(new Error(''), 'point search')).toBe(
      'the point search failed without a message; check the data source settings'
    );
    expect(errorText(undefined, 'topology request')).toMatch(/^the topology request failed/);
  });
});
