import { compactVertically, gridHeight, gridToPixels, normaliseGridPos } from './grid-layout';

describe('dashboard grid layout (Grafana: 24 columns, 30 px rows, 8 px margins)', () => {
  it('places a cell as react-grid-layout does: columns share the width less 23 margins', () => {
    // 1248 px: column width (1248 - 23 * 8) / 24 = 44.33 px
    expect(gridToPixels({ x: 0, y: 0, w: 24, h: 8 }, 1248)).toEqual({ left: 0, top: 0, width: 1248, height: 296 });
    expect(gridToPixels({ x: 12, y: 1, w: 12, h: 8 }, 1248)).toEqual({ left: 628, top: 38, width: 620, height: 296 });
    expect(gridToPixels({ x: 6, y: 9, w: 6, h: 4 }, 1248)).toEqual({ left: 314, top: 342, width: 306, height: 144 });
  });

  it('has the height of its lowest cell: rows of 30 px with 8 px between', () => {
    expect(gridHeight([])).toBe(0);
    expect(gridHeight([{ x: 0, y: 0, w: 24, h: 1 }])).toBe(30);
    expect(
      gridHeight([
        { x: 0, y: 0, w: 12, h: 8 },
        { x: 12, y: 2, w: 12, h: 8 },
      ]),
    ).toBe(10 * 30 + 9 * 8);
  });

  it('floats cells up into gaps and pushes overlapping cells down, keeping the input order', () => {
    const placed = compactVertically([
      { x: 0, y: 5, w: 12, h: 4 },
      { x: 0, y: 0, w: 24, h: 2 },
      { x: 6, y: 3, w: 12, h: 2 },
    ]);
    expect(placed).toEqual([
      { x: 0, y: 4, w: 12, h: 4 },
      { x: 0, y: 0, w: 24, h: 2 },
      { x: 6, y: 2, w: 12, h: 2 },
    ]);
  });

  it('clamps saved positions into the grid, Grafana’s 12×8 when missing', () => {
    expect(normaliseGridPos(undefined)).toEqual({ x: 0, y: 0, w: 12, h: 8 });
    expect(normaliseGridPos({ x: 20, y: -2, w: 10, h: 0 })).toEqual({ x: 14, y: 0, w: 10, h: 1 });
  });
});
