import { buildHitIndex, hitTest } from './hit-index';

describe('hit index', () => {
  const index = buildHitIndex(
    Float64Array.from([0, 1, 3, 3.5]),
    Float64Array.from([0, 0, 0, 0.5]),
    Float64Array.from([1, 2, 1, 1]),
    Float64Array.from([1, 1, 2, 1])
  );

  it('finds the rack under a point, across every tile a wide or deep rack covers', () => {
    expect([hitTest(index, 0.5, 0.5), hitTest(index, 2.9, 0.1), hitTest(index, 3.2, 1.9)]).toEqual([0, 1, 2]);
  });

  it('answers -1 off the racks, and the rack drawn last where two overlap', () => {
    expect([hitTest(index, 5, 5), hitTest(index, -0.1, 0.5)]).toEqual([-1, -1]);
    expect(hitTest(index, 3.7, 0.7)).toBe(3);
  });
});
