import { badgeSize, drawBadges } from './badges';

/** A 2D context that records paths, fills and strokes as drawBadges asks for them. */
function recorder() {
  const calls: string[] = [];
  let path: string[] = [];
  const ctx = {
    fillStyle: '',
    strokeStyle: '',
    lineWidth: 1,
    lineCap: 'butt',
    lineJoin: 'miter',
    beginPath: () => {
      path = [];
    },
    moveTo: (x: number, y: number) => path.push(`M${x},${y}`),
    lineTo: (x: number, y: number) => path.push(`L${x},${y}`),
    closePath: () => path.push('Z'),
    fill: () => calls.push(`fill ${ctx.fillStyle} ${path.join(' ')}`),
    stroke: () => calls.push(`stroke ${ctx.strokeStyle} ${path.filter((p) => p === 'Z').length} closed`),
  };
  return { ctx: ctx as unknown as CanvasRenderingContext2D, calls };
}

describe('drawBadges', () => {
  // five racks in a row; 1 and 4 warning, 3 critical, 0 and 2 without a prediction
  const scene = {
    count: 5,
    x: Float64Array.from([0, 1, 2, 3, 4]),
    y: new Float64Array(5),
    w: new Float64Array(5).fill(1),
    h: new Float64Array(5).fill(1),
    rank: Uint8Array.from([0, 2, 0, 3, 2]),
  };
  const style = { fill: ['', 'blue', 'orange', 'red'], glyph: ['', 'white', 'black', 'white'], edge: 'text' };

  it('fills one path per severity, most racks at once, and edges every mark in one stroke', () => {
    const { ctx, calls } = recorder();
    drawBadges(ctx, scene, { scale: 40, tx: 0, ty: 0 }, style, 1000, 1000);
    const fills = calls.filter((c) => c.startsWith('fill')).map((c) => c.split(' ').slice(0, 2).join(' '));
    expect(fills).toEqual(['fill orange', 'fill red']);
    expect(calls.find((c) => c.startsWith('stroke text'))).toBe('stroke text 3 closed');
    // a "!" per mark large enough, in the contrast colour of its fill
    expect(calls.filter((c) => c.startsWith('stroke') && !c.startsWith('stroke text'))).toEqual([
      'stroke black 0 closed',
      'stroke white 0 closed',
    ]);
  });

  it('puts the triangle in the tile’s top-right corner, inside the gap between tiles', () => {
    const { ctx, calls } = recorder();
    drawBadges(ctx, scene, { scale: 40, tx: 10, ty: 5 }, style, 1000, 1000);
    // rack 3: tile from x = 3 × 40 + 10 + 1 (half the 2 px gap), 38 px wide; legs half of that
    const leg = badgeSize(38);
    expect(leg).toBe(19);
    expect(calls.find((c) => c.startsWith('fill red'))).toBe(`fill red M${169 - leg},6 L169,6 L169,${6 + leg} Z`);
  });

  it('leaves out racks off screen, the "!" on small tiles, and draws nothing without a prediction', () => {
    const { ctx, calls } = recorder();
    drawBadges(ctx, scene, { scale: 10, tx: 0, ty: 0 }, style, 35, 100);
    expect(calls.filter((c) => c.startsWith('fill')).map((c) => c.split(' ')[1])).toEqual(['orange', 'red']);
    expect(calls.find((c) => c.startsWith('fill orange'))!.match(/Z/g)).toHaveLength(1);
    expect(calls.filter((c) => c.startsWith('stroke'))).toEqual(['stroke text 2 closed']);

    const none = recorder();
    drawBadges(none.ctx, { ...scene, rank: new Uint8Array(5) }, { scale: 40, tx: 0, ty: 0 }, style, 1000, 1000);
    expect(none.calls).toEqual([]);
  });

  it('keeps marks readable from a tiny tile to a huge one', () => {
    expect([badgeSize(4), badgeSize(10), badgeSize(40), badgeSize(400)]).toEqual([4, 6, 20, 40]);
  });
});
