import { layoutDashboard, type DashboardJson, type PanelJson } from './model';

const panel = (id: number, x: number, y: number, w: number, h: number, extra: Partial<PanelJson> = {}): PanelJson => ({
  id,
  type: 'stat',
  title: `P${id}`,
  gridPos: { x, y, w, h },
  ...extra,
});

const dashboard: DashboardJson = {
  panels: [
    { id: 1, type: 'row', title: 'Top', collapsed: false, gridPos: { x: 0, y: 0, w: 24, h: 1 } },
    panel(2, 0, 1, 12, 4),
    panel(3, 12, 1, 12, 4),
    {
      id: 10,
      type: 'row',
      title: 'Folded',
      collapsed: true,
      gridPos: { x: 0, y: 5, w: 24, h: 1 },
      panels: [panel(11, 0, 20, 24, 3)],
    },
    panel(4, 0, 6, 24, 2),
  ],
};

const summary = (items: ReturnType<typeof layoutDashboard>) =>
  items.map((i) => `${i.kind}:${i.key}@${i.gridPos.x},${i.gridPos.y},${i.gridPos.w}x${i.gridPos.h}`);

describe('dashboard layout', () => {
  it('lays out rows and panels, leaving a collapsed row’s panels out', () => {
    expect(summary(layoutDashboard(dashboard))).toEqual([
      'row:1@0,0,24x1',
      'panel:2@0,1,12x4',
      'panel:3@12,1,12x4',
      'row:10@0,5,24x1',
      'panel:4@0,6,24x2',
    ]);
  });

  it('shows a collapsed row’s panels right under it when expanded, pushing the rest down', () => {
    expect(summary(layoutDashboard(dashboard, { expandedRows: new Set(['10']) }))).toEqual([
      'row:1@0,0,24x1',
      'panel:2@0,1,12x4',
      'panel:3@12,1,12x4',
      'row:10@0,5,24x1',
      'panel:11@0,6,24x3',
      'panel:4@0,9,24x2',
    ]);
  });

  it('hides an expanded row’s panels when it is collapsed, the grid closing up', () => {
    expect(summary(layoutDashboard(dashboard, { collapsedRows: new Set(['1']) }))).toEqual([
      'row:1@0,0,24x1',
      'row:10@0,1,24x1',
      'panel:4@0,2,24x2',
    ]);
  });

  it('repeats a panel side by side per selected value (width max(24/n, 24/maxPerRow)), wrapping rows', () => {
    const repeated: DashboardJson = {
      panels: [panel(5, 0, 0, 6, 3, { repeat: 'rack', maxPerRow: 4 }), panel(6, 0, 3, 24, 2)],
    };
    const values = ['A01', 'A02', 'A03', 'A04', 'A05'].map((v) => ({ text: v, value: v }));
    const items = layoutDashboard(repeated, { repeatValues: () => values });
    expect(summary(items)).toEqual([
      'panel:5-0@0,0,6x3',
      'panel:5-1@6,0,6x3',
      'panel:5-2@12,0,6x3',
      'panel:5-3@18,0,6x3',
      'panel:5-4@0,3,6x3',
      'panel:6@0,6,24x2',
    ]);
    expect(items[4]!.repeatValue).toEqual({ name: 'rack', text: 'A05', value: 'A05' });
    const two = layoutDashboard(repeated, { repeatValues: () => values.slice(0, 2) });
    expect(summary(two).slice(0, 2)).toEqual(['panel:5-0@0,0,12x3', 'panel:5-1@12,0,12x3']);
  });

  it('stacks a vertical repeat, and keeps a repeat over nothing as the one panel', () => {
    const vertical: DashboardJson = { panels: [panel(5, 4, 0, 8, 2, { repeat: 'rack', repeatDirection: 'v' })] };
    const values = [
      { text: 'a', value: 'a' },
      { text: 'b', value: 'b' },
    ];
    expect(summary(layoutDashboard(vertical, { repeatValues: () => values }))).toEqual([
      'panel:5-0@4,0,8x2',
      'panel:5-1@4,2,8x2',
    ]);
    expect(summary(layoutDashboard(vertical, { repeatValues: () => [] }))).toEqual(['panel:5@4,0,8x2']);
  });
});
