import { findAisles, FloorRow, placeFloor, ROW_NAME_MARGIN } from './floor';
import { RackTable } from './join';

const row = (name: string, y: number, facing?: string, x0 = 1, x1 = 11): FloorRow => ({
  hall: 'h1',
  name,
  facing,
  bounds: { x0, y0: y, x1, y1: y + 1 },
});

describe('aisles', () => {
  it('finds cold aisles where fronts face each other and hot ones where backs do (Plenum’s sample hall)', () => {
    const aisles = findAisles([row('A', 1, 'south'), row('B', 3, 'north'), row('C', 5, 'south'), row('D', 7, 'north')]);
    expect(aisles.map((a) => [a.kind, a.bounds.y0, a.bounds.y1])).toEqual([
      ['cold', 2, 3],
      ['hot', 4, 5],
      ['cold', 6, 7],
    ]);
  });

  it('marks nothing between rows facing the same way, back to back, or without facing', () => {
    expect(findAisles([row('A', 1, 'south'), row('B', 3, 'south')])).toEqual([]);
    expect(findAisles([row('A', 1, 'north'), row('B', 2, 'south')])).toEqual([]);
    expect(findAisles([row('A', 1), row('B', 3, 'north')])).toEqual([]);
  });

  it('finds vertical aisles between east / west facing rows, over the rows’ common length', () => {
    const v = (name: string, x: number, facing: string, y0: number): FloorRow => ({
      hall: 'h1',
      name,
      facing,
      bounds: { x0: x, y0, x1: x + 1, y1: y0 + 8 },
    });
    const [a] = findAisles([v('A', 1, 'west', 0), v('B', 4, 'east', 2)]);
    expect(a).toEqual({ kind: 'hot', horizontal: false, bounds: { x0: 2, y0: 2, x1: 4, y1: 8 } });
  });
});

describe('placeFloor', () => {
  const table = {
    count: 3,
    id: ['A01', 'A02', 'X01'],
    hall: ['h1', 'h1', 'h2'],
    row: ['A', 'A', 'X'],
    facing: ['south', 'south', undefined],
    x: Float64Array.from([1, 2, 5]),
    y: Float64Array.from([1, 1, 0]),
    w: Float64Array.from([1, 1, 1]),
    h: Float64Array.from([1, 1, 1]),
  } as unknown as RackTable;

  it('sets halls side by side with room for row and hall names', () => {
    const floor = placeFloor(table, true);
    // h2 starts HALL_GAP (3) after h1 ends (x 3) plus the row-name margin
    expect([...floor.x]).toEqual([1, 2, 3 + 3 + ROW_NAME_MARGIN]);
    expect(floor.halls.map((h) => h.name)).toEqual(['h1', 'h2']);
    expect(floor.rows.map((r) => [r.name, r.facing])).toEqual([
      ['A', 'south'],
      ['X', undefined],
    ]);
    expect(floor.bounds).toEqual({ x0: 1 - ROW_NAME_MARGIN, y0: -1, x1: 8.5, y1: 2 });
  });
});
