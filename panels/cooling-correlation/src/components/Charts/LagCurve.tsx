import type { GrafanaTheme2 } from '@grafana/data';
import React, { useMemo } from 'react';
import type uPlot from 'uplot';
import type { Analysis } from '../../data/analyse';
import { axis, seriesColor, withNulls } from './chart-theme';
import { UPlotView } from './UPlotView';

interface Props {
  analysis: Analysis;
  theme: GrafanaTheme2;
  width: number;
  height: number;
}

/** r against lag for each response; the best lag marked and its 95 % confidence interval shaded. */
export function LagCurve({ analysis, theme, width, height }: Props) {
  const { responses } = analysis;
  const data = useMemo<uPlot.AlignedData>(
    () => [Array.from(responses[0].curveLagMs, (ms) => ms / 1000), ...responses.map((r) => withNulls(r.curveR))],
    [responses]
  );
  const options = useMemo<Omit<uPlot.Options, 'width' | 'height'>>(() => {
    const draw = (u: uPlot) => {
      const { ctx, bbox } = u;
      ctx.save();
      responses.forEach((r, i) => {
        if (r.lagMs === undefined || !r.ciMs) {
          return;
        }
        const color = seriesColor(theme, i + 1);
        const x0 = u.valToPos(r.ciMs[0] / 1000, 'x', true);
        const x1 = u.valToPos(r.ciMs[1] / 1000, 'x', true);
        ctx.globalAlpha = 0.15;
        ctx.fillStyle = color;
        ctx.fillRect(x0, bbox.top, Math.max(2, x1 - x0), bbox.height);
        ctx.globalAlpha = 1;
        ctx.strokeStyle = color;
        ctx.lineWidth = 1.5 * devicePixelRatio;
        const x = u.valToPos(r.lagMs / 1000, 'x', true);
        ctx.beginPath();
        ctx.moveTo(x, bbox.top);
        ctx.lineTo(x, bbox.top + bbox.height);
        ctx.stroke();
      });
      ctx.restore();
    };
    return {
      legend: { show: false },
      cursor: { points: { size: 6 }, drag: { x: false, y: false } },
      scales: { x: { time: false }, r: { range: [-1, 1] } },
      series: [
        {},
        ...responses.map((r, i) => ({ label: r.name, scale: 'r', stroke: seriesColor(theme, i + 1), width: 2 })),
      ],
      axes: [
        axis(theme, { scale: 'x', label: 'lag', format: (v) => `${Math.round(v)} s` }),
        axis(theme, { scale: 'r', label: 'r', format: (v) => v.toFixed(1) }),
      ],
      hooks: { draw: [draw] },
    };
  }, [theme, responses]);

  const tooltip = (index: number) => (
    <div>
      <div>lag {Math.round((data[0][index] as number) * 10) / 10} s</div>
      {responses.map((r, i) => (
        <div key={r.name} style={{ color: seriesColor(theme, i + 1) }}>
          {r.name}: r = {Number.isFinite(r.curveR[index]) ? r.curveR[index].toFixed(3) : '–'}
        </div>
      ))}
    </div>
  );
  return (
    <UPlotView
      options={options}
      data={data}
      width={width}
      height={height}
      tooltip={tooltip}
      testId="cooling-correlation-lag"
    />
  );
}
