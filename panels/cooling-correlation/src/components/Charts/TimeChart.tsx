import { dateTimeFormat, type GrafanaTheme2 } from '@grafana/data';
import React, { useMemo } from 'react';
import type uPlot from 'uplot';
import type { Analysis } from '../../data/analyse';
import type { PanelEvent } from '../../data/events';
import { axis, formatValue, seriesColor, withNulls } from './chart-theme';
import { UPlotView } from './UPlotView';

interface Props {
  analysis: Analysis;
  events: PanelEvent[];
  theme: GrafanaTheme2;
  timeZone: string;
  width: number;
  height: number;
}

/** Grafana's default annotation colour. */
const ANNOTATION_COLOR = 'rgba(0, 211, 255, 1)';

/**
 * Load (left axis) and responses (right axis) on the common grid, the periods a response lagged beyond the
 * threshold shaded, and events (job starts) as dashed markers.
 */
export function TimeChart({ analysis, events, theme, timeZone, width, height }: Props) {
  const { times, load, responses } = analysis;
  const data = useMemo<uPlot.AlignedData>(
    () => [Array.from(times, (t) => t / 1000), withNulls(load.values), ...responses.map((r) => withNulls(r.values))],
    [times, load, responses]
  );
  const options = useMemo<Omit<uPlot.Options, 'width' | 'height'>>(() => {
    const periods = responses.flatMap((r) => r.laggingPeriods);
    const draw = (u: uPlot) => {
      const { ctx, bbox } = u;
      ctx.save();
      ctx.fillStyle = theme.colors.warning.transparent;
      for (const p of periods) {
        const x0 = u.valToPos(p.from / 1000, 'x', true);
        const x1 = u.valToPos(p.to / 1000, 'x', true);
        ctx.fillRect(x0, bbox.top, Math.max(1, x1 - x0), bbox.height);
      }
      ctx.setLineDash([4, 4]);
      ctx.lineWidth = 1.5 * devicePixelRatio;
      for (const e of events) {
        const x = u.valToPos(e.time / 1000, 'x', true);
        if (x < bbox.left || x > bbox.left + bbox.width) {
          continue;
        }
        ctx.strokeStyle = e.color ?? ANNOTATION_COLOR;
        ctx.fillStyle = e.color ?? ANNOTATION_COLOR;
        ctx.beginPath();
        ctx.moveTo(x, bbox.top);
        ctx.lineTo(x, bbox.top + bbox.height);
        ctx.stroke();
        // a small flag at the top, as Grafana marks annotations
        const s = 5 * devicePixelRatio;
        ctx.beginPath();
        ctx.moveTo(x - s, bbox.top);
        ctx.lineTo(x + s, bbox.top);
        ctx.lineTo(x, bbox.top + s * 1.5);
        ctx.fill();
      }
      ctx.restore();
    };
    return {
      legend: { show: false },
      cursor: { points: { size: 6 } },
      scales: { x: { time: true }, load: {}, resp: {} },
      series: [
        {},
        { label: load.name, scale: 'load', stroke: seriesColor(theme, 0), width: 2 },
        ...responses.map((r, i) => ({ label: r.name, scale: 'resp', stroke: seriesColor(theme, i + 1), width: 1.5 })),
      ],
      axes: [
        axis(theme, { scale: 'x', time: true }),
        axis(theme, { scale: 'load', unit: load.unit, label: load.name }),
        axis(theme, { scale: 'resp', side: 1, unit: responses[0]?.unit, grid: false }),
      ],
      hooks: { draw: [draw] },
    };
  }, [theme, load, responses, events]);

  const tooltip = (index: number) => {
    const t = times[index];
    const near = events.filter((e) => Math.abs(e.time - t) <= analysis.grid.step * 3);
    return (
      <div>
        <div>{dateTimeFormat(t, { timeZone })}</div>
        <div style={{ color: seriesColor(theme, 0) }}>
          {load.name}: {formatValue(load.values[index], load.unit)}
        </div>
        {responses.map((r, i) => (
          <div key={r.name} style={{ color: seriesColor(theme, i + 1) }}>
            {r.name}: {formatValue(r.values[index], r.unit)}
          </div>
        ))}
        {near.map((e) => (
          <div key={`${e.time}-${e.title}`}>⚑ {e.title || e.text}</div>
        ))}
      </div>
    );
  };

  return (
    <UPlotView
      options={options}
      data={data}
      width={width}
      height={height}
      tooltip={tooltip}
      testId="cooling-correlation-time"
    />
  );
}
