import type { GrafanaTheme2 } from '@grafana/data';
import React, { useMemo } from 'react';
import type uPlot from 'uplot';
import type { Analysis, ResponseAnalysis } from '../../data/analyse';
import { forPairs } from '../../data/regression';
import { axis, formatValue, seriesColor } from './chart-theme';
import { UPlotView } from './UPlotView';

interface Props {
  analysis: Analysis;
  response: ResponseAnalysis;
  /** index of the response among all, for its colour */
  colorIndex: number;
  theme: GrafanaTheme2;
  width: number;
  height: number;
}

/** Drawing more points than pixels only costs time: a stride keeps at most this many. */
const MAX_POINTS = 4000;

/** Response against load at the best lag (each point shifted by it), with the regression line. */
export function ScatterChart({ analysis, response, colorIndex, theme, width, height }: Props) {
  const { load } = analysis;
  const est = response.estimate;
  const data = useMemo<uPlot.AlignedData>(() => {
    const pairs: Array<[number, number]> = [];
    if (est) {
      forPairs(load.values, response.values, est.lagIndex, (a, b) => pairs.push([a, b]));
    }
    const stride = Math.max(1, Math.ceil(pairs.length / MAX_POINTS));
    // uPlot's x must ascend: sort by load
    const kept = pairs.filter((_, i) => i % stride === 0).sort((p, q) => p[0] - q[0]);
    const xs = kept.map((p) => p[0]);
    const fit = est ? xs.map((x) => est.fit.intercept + est.fit.slope * x) : [];
    return [xs, kept.map((p) => p[1]), fit];
  }, [load, response, est]);

  const options = useMemo<Omit<uPlot.Options, 'width' | 'height'>>(
    () => ({
      legend: { show: false },
      cursor: { points: { size: 8 }, drag: { x: false, y: false } },
      scales: { x: { time: false }, y: {} },
      series: [
        {},
        {
          label: response.name,
          stroke: seriesColor(theme, colorIndex),
          fill: seriesColor(theme, colorIndex),
          paths: () => null,
          points: { show: true, size: 3, fill: seriesColor(theme, colorIndex), stroke: seriesColor(theme, colorIndex) },
        },
        { label: 'fit', stroke: theme.colors.text.primary, width: 2, dash: [6, 4], points: { show: false } },
      ],
      axes: [
        axis(theme, { scale: 'x', unit: load.unit, label: load.name }),
        axis(theme, { scale: 'y', unit: response.unit, label: response.name }),
      ],
    }),
    [theme, load, response, colorIndex]
  );

  const tooltip = (index: number) => (
    <div>
      <div>
        {load.name}: {formatValue(data[0][index] as number, load.unit)}
      </div>
      <div>
        {response.name}: {formatValue(data[1][index] as number, response.unit)}
      </div>
    </div>
  );
  return (
    <UPlotView
      options={options}
      data={data}
      width={width}
      height={height}
      tooltip={tooltip}
      testId="cooling-correlation-scatter"
    />
  );
}
