import { panelBoxes, SUMMARY_HEIGHT } from './panel-layout';

describe('panelBoxes', () => {
  it('auto puts the charts side by side when wide, stacked when not', () => {
    expect(Object.keys(panelBoxes('auto', 1800, 400))).toEqual(['time', 'scatter', 'lag']);
    const wide = panelBoxes('auto', 1800, 400);
    expect(wide.time!.top).toBe(wide.lag!.top);
    const tall = panelBoxes('auto', 800, 600);
    expect(tall.scatter!.top).toBeGreaterThan(tall.time!.top + tall.time!.height);
  });

  it('keeps every chart inside the panel, below the summary', () => {
    for (const layout of ['stacked', 'row'] as const) {
      const boxes = panelBoxes(layout, 1000, 600, 'wall');
      expect(boxes.summary).toEqual({ left: 0, top: 0, width: 1000, height: SUMMARY_HEIGHT.wall });
      for (const b of [boxes.time!, boxes.scatter!, boxes.lag!]) {
        expect(b.top).toBeGreaterThan(SUMMARY_HEIGHT.wall);
        expect(b.left + b.width).toBeLessThanOrEqual(1000);
        expect(b.top + b.height).toBeLessThanOrEqual(600);
      }
    }
  });

  it('a single view fills the panel; a panel too short drops the summary', () => {
    expect(panelBoxes('scatter', 500, 300)).toEqual({ scatter: { left: 0, top: 0, width: 500, height: 300 } });
    expect(panelBoxes('lag', 500, 150, 'wall').summary).toBeUndefined();
  });
});
