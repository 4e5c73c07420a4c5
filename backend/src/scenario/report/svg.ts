/**
 * Small SVG time charts for the scenario report (pure, no dependencies: the report is one HTML file a person
 * opens from disk). Lines on a left and an optional right axis, min–max bands, horizontal limits, a shaded
 * y-range (the ASHRAE recommended envelope) and event markers; long series are reduced per pixel column so a
 * week stays readable and peaks survive.
 */

export interface ChartLine {
  name: string;
  values: readonly number[];
  color: string;
  axis?: 'left' | 'right';
  dash?: string;
  /** how a pixel column combines its samples, @default mean (max/min keep peaks of an envelope) */
  reduce?: 'mean' | 'max' | 'min';
}

export interface ChartBand {
  name: string;
  lower: readonly number[];
  upper: readonly number[];
  color: string;
}

export interface Chart {
  title: string;
  unit: string;
  rightUnit?: string;
  time: readonly number[];
  lines: ChartLine[];
  bands?: ChartBand[];
  /** horizontal lines on the left axis */
  limits?: Array<{ value: number; label: string; color: string }>;
  /** a shaded range of the left axis */
  shade?: { from: number; to: number; label: string; color: string };
  /** vertical markers: fault starts, writes */
  markers?: Array<{ time: number; label: string }>;
  /** force the left axis to include these */
  include?: number[];
  width?: number;
  height?: number;
}

const M = { left: 56, right: 56, top: 34, bottom: 54 };

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Round tick step for a span: 1, 2, 2.5 or 5 × 10ⁿ, about `n` ticks. */
export function niceStep(span: number, n = 5): number {
  if (!(span > 0)) return 1;
  const raw = span / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const f = raw / mag;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10) * mag;
}

const TIME_STEPS = [
  60e3,
  5 * 60e3,
  10 * 60e3,
  15 * 60e3,
  30 * 60e3,
  3.6e6,
  2 * 3.6e6,
  3 * 3.6e6,
  6 * 3.6e6,
  12 * 3.6e6,
  86.4e6,
];

function timeLabel(t: number, step: number): string {
  const iso = new Date(t).toISOString();
  if (step >= 86.4e6) return iso.slice(5, 10);
  return iso.slice(11, 16);
}

/** Indices of `n` samples cut into `cols` columns (first and last sample of each), for reduction. */
export function columns(n: number, cols: number): Array<[number, number]> {
  if (n <= cols) return Array.from({ length: n }, (_, i) => [i, i + 1]);
  const out: Array<[number, number]> = [];
  for (let c = 0; c < cols; c++) {
    const a = Math.floor((c * n) / cols);
    const b = Math.max(a + 1, Math.floor(((c + 1) * n) / cols));
    out.push([a, b]);
  }
  return out;
}

function reduce(values: readonly number[], [a, b]: [number, number], how: 'mean' | 'max' | 'min'): number {
  let acc = how === 'max' ? -Infinity : how === 'min' ? Infinity : 0;
  let k = 0;
  for (let i = a; i < b; i++) {
    const v = values[i] as number;
    if (!Number.isFinite(v)) continue;
    acc = how === 'max' ? Math.max(acc, v) : how === 'min' ? Math.min(acc, v) : acc + v;
    k++;
  }
  if (k === 0) return NaN;
  return how === 'mean' ? acc / k : acc;
}

function extent(xs: Iterable<number>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const x of xs)
    if (Number.isFinite(x)) {
      lo = Math.min(lo, x);
      hi = Math.max(hi, x);
    }
  if (lo === Infinity) return [0, 1];
  if (lo === hi) return [lo - 1, hi + 1];
  return [lo, hi];
}

function axis(lo: number, hi: number): { lo: number; hi: number; step: number } {
  const step = niceStep(hi - lo);
  return { lo: Math.floor(lo / step) * step, hi: Math.ceil(hi / step) * step, step };
}

function path(points: Array<[number, number]>): string {
  let d = '';
  let pen = false;
  for (const [x, y] of points) {
    if (!Number.isFinite(y)) {
      pen = false;
      continue;
    }
    d += `${pen ? 'L' : 'M'}${x.toFixed(1)},${y.toFixed(1)}`;
    pen = true;
  }
  return d;
}

export function lineChart(c: Chart): string {
  const W = c.width ?? 960;
  const H = c.height ?? 300;
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const n = c.time.length;
  const cols = columns(n, Math.floor(pw));
  const t0 = c.time[0] ?? 0;
  const t1 = c.time[n - 1] ?? t0 + 1;
  const x = (t: number) => M.left + ((t - t0) / Math.max(1, t1 - t0)) * pw;
  const tAt = (col: [number, number]) => c.time[Math.floor((col[0] + col[1] - 1) / 2)] as number;

  const left = c.lines.filter((l) => l.axis !== 'right');
  const right = c.lines.filter((l) => l.axis === 'right');
  const leftValues = [
    ...left.flatMap((l) => l.values),
    ...(c.bands ?? []).flatMap((b) => [...b.lower, ...b.upper]),
    ...(c.limits ?? []).map((l) => l.value),
    ...(c.include ?? []),
  ];
  const la = axis(...extent(leftValues));
  const ra = right.length ? axis(...extent(right.flatMap((l) => l.values))) : undefined;
  const yL = (v: number) => M.top + ph - ((v - la.lo) / (la.hi - la.lo)) * ph;
  const yR = (v: number) => (ra ? M.top + ph - ((v - ra.lo) / (ra.hi - ra.lo)) * ph : 0);

  const parts: string[] = [];
  parts.push(`<text x="${M.left}" y="20" class="title">${esc(c.title)}</text>`);
  if (c.shade) {
    const a = yL(Math.min(c.shade.to, la.hi));
    const b = yL(Math.max(c.shade.from, la.lo));
    if (b > a)
      parts.push(
        `<rect x="${M.left}" y="${a.toFixed(1)}" width="${pw}" height="${(b - a).toFixed(1)}" fill="${c.shade.color}"><title>${esc(c.shade.label)}</title></rect>`,
      );
  }
  // grid and left axis
  for (let v = la.lo; v <= la.hi + la.step / 1e6; v += la.step) {
    const y = yL(v).toFixed(1);
    parts.push(`<line x1="${M.left}" x2="${M.left + pw}" y1="${y}" y2="${y}" class="grid"/>`);
    parts.push(
      `<text x="${M.left - 6}" y="${y}" class="tick" text-anchor="end" dominant-baseline="middle">${+v.toFixed(6)}</text>`,
    );
  }
  parts.push(
    `<text x="14" y="${M.top + ph / 2}" class="unit" transform="rotate(-90 14 ${M.top + ph / 2})" text-anchor="middle">${esc(c.unit)}</text>`,
  );
  if (ra) {
    for (let v = ra.lo; v <= ra.hi + ra.step / 1e6; v += ra.step) {
      parts.push(
        `<text x="${M.left + pw + 6}" y="${yR(v).toFixed(1)}" class="tick" dominant-baseline="middle">${+v.toFixed(6)}</text>`,
      );
    }
    const xr = W - 12;
    parts.push(
      `<text x="${xr}" y="${M.top + ph / 2}" class="unit" transform="rotate(90 ${xr} ${M.top + ph / 2})" text-anchor="middle">${esc(c.rightUnit ?? '')}</text>`,
    );
  }
  // time axis
  const span = t1 - t0;
  const tStep = TIME_STEPS.find((s) => span / s <= 8) ?? 86.4e6 * Math.ceil(span / 86.4e6 / 8);
  for (let t = Math.ceil(t0 / tStep) * tStep; t <= t1; t += tStep) {
    const xx = x(t).toFixed(1);
    parts.push(`<line x1="${xx}" x2="${xx}" y1="${M.top}" y2="${M.top + ph}" class="grid"/>`);
    parts.push(
      `<text x="${xx}" y="${M.top + ph + 16}" class="tick" text-anchor="middle">${timeLabel(t, tStep)}</text>`,
    );
  }
  for (const m of c.markers ?? []) {
    if (m.time < t0 || m.time > t1) continue;
    const xx = x(m.time).toFixed(1);
    parts.push(
      `<line x1="${xx}" x2="${xx}" y1="${M.top}" y2="${M.top + ph}" class="marker"><title>${esc(m.label)}</title></line>`,
    );
  }
  for (const b of c.bands ?? []) {
    const upper = cols.map((col): [number, number] => [x(tAt(col)), yL(reduce(b.upper, col, 'max'))]);
    const lower = cols.map((col): [number, number] => [x(tAt(col)), yL(reduce(b.lower, col, 'min'))]).reverse();
    const pts = [...upper, ...lower].filter(([, y]) => Number.isFinite(y));
    if (pts.length)
      parts.push(`<path d="${path(pts)}Z" fill="${b.color}" stroke="none"><title>${esc(b.name)}</title></path>`);
  }
  for (const l of c.limits ?? []) {
    if (l.value < la.lo || l.value > la.hi) continue;
    const y = yL(l.value).toFixed(1);
    parts.push(
      `<line x1="${M.left}" x2="${M.left + pw}" y1="${y}" y2="${y}" stroke="${l.color}" stroke-dasharray="6 4" stroke-width="1.2"/>`,
    );
    parts.push(
      `<text x="${M.left + pw - 4}" y="${(+y - 4).toFixed(1)}" class="limit" fill="${l.color}" text-anchor="end">${esc(l.label)}</text>`,
    );
  }
  for (const l of c.lines) {
    const y = l.axis === 'right' ? yR : yL;
    const pts = cols.map((col): [number, number] => [x(tAt(col)), y(reduce(l.values, col, l.reduce ?? 'mean'))]);
    parts.push(
      `<path d="${path(pts)}" fill="none" stroke="${l.color}" stroke-width="1.8"${l.dash ? ` stroke-dasharray="${l.dash}"` : ''}><title>${esc(l.name)}</title></path>`,
    );
  }
  parts.push(`<rect x="${M.left}" y="${M.top}" width="${pw}" height="${ph}" class="frame"/>`);
  // legend
  let lx = M.left;
  const ly = H - 12;
  for (const item of [
    ...(c.bands ?? []).map((b) => ({ name: b.name, color: b.color, band: true })),
    ...c.lines.map((l) => ({ name: `${l.name}${l.axis === 'right' ? ' (right)' : ''}`, color: l.color, band: false })),
  ]) {
    parts.push(
      item.band
        ? `<rect x="${lx}" y="${ly - 8}" width="14" height="10" fill="${item.color}"/>`
        : `<line x1="${lx}" x2="${lx + 14}" y1="${ly - 3}" y2="${ly - 3}" stroke="${item.color}" stroke-width="2.5"/>`,
    );
    parts.push(`<text x="${lx + 19}" y="${ly}" class="legend">${esc(item.name)}</text>`);
    lx += 28 + item.name.length * 6.6 + (item.band ? 0 : 0);
  }
  return `<svg viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="${esc(c.title)}" xmlns="http://www.w3.org/2000/svg">${parts.join('')}</svg>`;
}
