import { BUCKET_MISSING, BUCKET_STALE } from '../data/color-index';
import { drawTiles, TileScratch } from './tiles';

/** A 2D context that records what drawTiles asks of it. */
function recorder() {
  const calls: string[] = [];
  const ctx = {
    fillStyle: '',
    strokeStyle: '',
    lineWidth: 1,
    lineCap: 'butt',
    beginPath: () => calls.push('beginPath'),
    rect: () => calls.push('rect'),
    fillRect: (x: number, y: number, w: number, h: number) =>
      calls.push(`fillRect ${ctx.fillStyle} ${x},${y},${w},${h}`),
    fill: () => calls.push(`fill ${ctx.fillStyle}`),
    stroke: () => calls.push('stroke'),
    moveTo: () => {},
    lineTo: () => {},
    arc: () => {},
  };
  return { ctx: ctx as unknown as CanvasRenderingContext2D, calls };
}

describe('drawTiles', () => {
  const n = 1000;
  const scene = {
    count: n,
    x: Float64Array.from({ length: n }, (_, i) => i % 50),
    y: Float64Array.from({ length: n }, (_, i) => Math.floor(i / 50)),
    w: new Float64Array(n).fill(1),
    h: new Float64Array(n).fill(1),
    slices: [Uint16Array.from({ length: n }, (_, i) => (i === 7 ? BUCKET_MISSING : i === 8 ? BUCKET_STALE : i % 3))],
    palette: ['#111111', '#222222', '#333333'],
  };
  const style = { statusFill: 'grey', hatch: 'hatch', symbol: 'white' };

  it('sets each colour once however many racks have it, and fills status tiles with background and hatch', () => {
    const { ctx, calls } = recorder();
    drawTiles(ctx, scene, { scale: 4, tx: 0, ty: 0 }, style, 1000, 1000, new TileScratch());
    const colours = calls.filter((c) => c.startsWith('fillRect')).map((c) => c.split(' ')[1]);
    // grouped: every rack of a colour drawn before the next colour starts
    expect(colours.filter((c, i) => c !== colours[i - 1])).toEqual(['#111111', '#222222', '#333333']);
    expect(colours).toHaveLength(n - 2);
    expect(calls.filter((c) => c.startsWith('fill '))).toEqual(['fill grey', 'fill hatch', 'fill grey', 'fill hatch']);
  });

  it('leaves out racks off screen, and puts a gap between tiles large enough for one', () => {
    const { ctx, calls } = recorder();
    drawTiles(ctx, scene, { scale: 20, tx: 0, ty: 0 }, style, 40, 20, new TileScratch());
    expect(calls.filter((c) => c.startsWith('fillRect'))).toEqual([
      'fillRect #111111 0.8,0.8,18.4,18.4',
      'fillRect #222222 20.8,0.8,18.4,18.4',
    ]);
  });
});
