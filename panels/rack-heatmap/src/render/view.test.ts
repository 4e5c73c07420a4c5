import { fitView, MAX_ZOOM, panBy, toWorld, zoomAt } from './view';

describe('view', () => {
  const bounds = { x0: -1, y0: 0, x1: 9, y1: 5 };
  const fitted = fitView(bounds, 220, 120, 10);

  it('fits the floor with square tiles, centred', () => {
    expect(fitted).toEqual({ scale: 20, tx: 30, ty: 10 });
  });

  it('zooms about the pointer, between the fitted view and MAX_ZOOM times it', () => {
    const z = zoomAt(fitted, fitted, 2, 110, 60);
    expect(toWorld(z, 110, 60)).toEqual(toWorld(fitted, 110, 60));
    expect(z.scale).toBe(40);
    expect(zoomAt(z, fitted, 0.1, 0, 0)).toBe(fitted);
    expect(zoomAt(fitted, fitted, 1000, 0, 0).scale).toBe(20 * MAX_ZOOM);
  });

  it('pans by screen pixels', () => {
    expect(toWorld(panBy(fitted, 20, 0), 50, 10)).toEqual({ x: 0, y: 0 });
  });
});
