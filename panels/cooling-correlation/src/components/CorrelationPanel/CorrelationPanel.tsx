import { css } from '@emotion/css';
import type { GrafanaTheme2, PanelProps } from '@grafana/data';
import { useStyles2, useTheme2 } from '@grafana/ui';
import React, { useMemo } from 'react';
import { analyse, type AnalysisResult, type NamedSeries } from '../../data/analyse';
import { eventsFromAnnotations } from '../../data/events';
import { selectSeries, type SeriesRef } from '../../data/select-series';
import type { CorrelationOptions } from '../../types';
import { LagCurve } from '../Charts/LagCurve';
import { ScatterChart } from '../Charts/ScatterChart';
import { TimeChart } from '../Charts/TimeChart';
import { Summary } from '../Summary/Summary';
import { panelBoxes, type Box } from './panel-layout';

const POWER_UNITS = new Set(['watt', 'kwatt', 'megwatt', 'gwatt']);

function toNamedSeries(s: SeriesRef): NamedSeries {
  return { name: s.name, unit: s.field.config.unit, times: s.times, values: s.field.values as Array<number | null> };
}

/** How fast and how well cooling follows the workload: lag, regression and effort per IT kW. */
export function CorrelationPanel({ data, options, width, height, timeZone }: PanelProps<CorrelationOptions>) {
  const theme = useTheme2();
  const styles = useStyles2(getStyles);
  const result = useMemo<AnalysisResult>(() => {
    const { loads, responses } = selectSeries(data.series, options.loadFields, options.responseFields);
    const allPower = loads.every(
      (l) => POWER_UNITS.has(l.field.config.unit ?? '') || l.field.labels?.quantity === 'power'
    );
    const loadCombine = options.loadCombine === 'auto' ? (allPower ? 'sum' : 'mean') : options.loadCombine;
    return analyse(loads.map(toNamedSeries), responses.map(toNamedSeries), { ...options, loadCombine });
  }, [data.series, options]);
  const events = useMemo(() => {
    if (!options.showEvents || !result.ok) {
      return [];
    }
    const { times } = result.analysis;
    return eventsFromAnnotations(data.annotations, options.eventFilter, times[0], times[times.length - 1]);
  }, [data.annotations, options.showEvents, options.eventFilter, result]);

  // nothing to chart when no response has an estimate: say why instead of drawing empty axes
  const message = !result.ok
    ? result.message
    : result.analysis.responses.every((r) => !r.estimate)
      ? result.analysis.responses.map((r) => r.message).join(' ')
      : undefined;
  if (!result.ok || message) {
    return (
      <div className={styles.message} style={{ width, height }} role="status" data-testid="cooling-correlation-message">
        {message}
      </div>
    );
  }
  const { analysis } = result;
  // the primary response first: the one named in the options, else the strongest correlation
  const order = analysis.responses.map((_, i) => i);
  const strength = (i: number) => Math.abs(analysis.responses[i].estimate?.r ?? 0);
  order.sort((a, b) => strength(b) - strength(a));
  const chosen = order.findIndex((i) => analysis.responses[i].name === options.primaryResponse);
  if (chosen > 0) {
    order.unshift(...order.splice(chosen, 1));
  }
  const primary = analysis.responses[order[0]];
  const notes = [
    ...analysis.notes,
    ...analysis.responses.filter((r) => r.message).map((r) => `${r.name}: ${r.message}`),
    ...(events.length ? [`${events.length} event${events.length > 1 ? 's' : ''} marked`] : []),
  ];
  const notesHeight = notes.length ? 18 : 0;
  const boxes = panelBoxes(
    options.layout,
    width,
    height - notesHeight,
    options.showSummary ? options.summarySize : undefined
  );
  const place = (b: Box) => ({
    position: 'absolute' as const,
    left: b.left,
    top: b.top,
    width: b.width,
    height: b.height,
  });
  return (
    <div
      className={styles.panel}
      style={{ width, height }}
      data-testid="cooling-correlation"
      data-grid-step-ms={analysis.grid.step}
    >
      {boxes.summary && (
        <div style={place(boxes.summary)}>
          <Summary analysis={analysis} order={order} size={options.summarySize} width={boxes.summary.width} />
        </div>
      )}
      {boxes.time && (
        <div style={place(boxes.time)}>
          <TimeChart analysis={analysis} events={events} theme={theme} timeZone={timeZone} {...size(boxes.time)} />
        </div>
      )}
      {boxes.scatter && primary.estimate && (
        <div style={place(boxes.scatter)}>
          <ScatterChart
            analysis={analysis}
            response={primary}
            colorIndex={order[0] + 1}
            theme={theme}
            {...size(boxes.scatter)}
          />
        </div>
      )}
      {boxes.lag && (
        <div style={place(boxes.lag)}>
          <LagCurve analysis={analysis} theme={theme} {...size(boxes.lag)} />
        </div>
      )}
      {notes.length > 0 && (
        <div
          className={styles.notes}
          style={{ top: height - notesHeight }}
          title={notes.join('\n')}
          data-testid="cooling-correlation-notes"
        >
          {notes.join(' · ')}
        </div>
      )}
    </div>
  );
}

function size(b: Box) {
  return { width: b.width, height: b.height };
}

const getStyles = (theme: GrafanaTheme2) => ({
  panel: css({ position: 'relative', overflow: 'hidden' }),
  message: css({
    display: 'flex',
    alignItems: 'center',
    justifyContent: 'center',
    textAlign: 'center',
    padding: theme.spacing(2),
    color: theme.colors.text.secondary,
  }),
  notes: css({
    position: 'absolute',
    left: 0,
    right: 0,
    height: 18,
    fontSize: theme.typography.bodySmall.fontSize,
    color: theme.colors.text.secondary,
    whiteSpace: 'nowrap',
    overflow: 'hidden',
    textOverflow: 'ellipsis',
  }),
});
