import { css } from '@emotion/css';
import { GrafanaTheme2 } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';
import React from 'react';
import { LegendItem, LegendModel } from '../../data/colors';
import { LegendPlacement } from '../../types';
import { PredictionBadge } from './PredictionBadge';
import { StatusSymbol } from './StatusSymbol';

export interface LegendProps {
  title: string;
  legend: LegendModel;
  mappingItems: LegendItem[];
  /** e.g. "Stale > 10m"; undefined when values never go stale */
  staleLabel?: string;
  /** the prediction marks on the floor (e.g. "critical prediction"), when a predictions frame is shown */
  predictionItems?: LegendItem[];
  placement: LegendPlacement;
  large: boolean;
  /** CSS px, for a legend on the right */
  width?: number;
}

/**
 * The colour scale and what is drawn outside it — no data, stale, prediction marks — with the symbols the tiles
 * carry.
 */
export function Legend(props: LegendProps) {
  const { title, legend, mappingItems, staleLabel, predictionItems, placement, large, width } = props;
  const styles = useStyles2(getStyles, placement, large);
  const swatch = (item: LegendItem) => (
    <span key={`${item.color}-${item.label}`} className={styles.item}>
      <span className={styles.swatch} style={{ background: item.color }} />
      {item.label}
    </span>
  );
  return (
    <div className={styles.legend} style={{ width }} data-testid="rack-heatmap-legend" aria-label="Legend">
      {title && <span className={styles.title}>{title}</span>}
      {legend.kind === 'steps' && legend.items.map(swatch)}
      {legend.kind === 'gradient' && (
        <span className={styles.item}>
          {legend.min}
          <span
            className={styles.gradient}
            style={{ background: `linear-gradient(to right, ${legend.colors.join(', ')})` }}
          />
          {legend.max}
        </span>
      )}
      {mappingItems.map(swatch)}
      <span className={styles.item}>
        <StatusSymbol kind="missing" size={large ? 18 : 14} />
        No data
      </span>
      {staleLabel && (
        <span className={styles.item}>
          <StatusSymbol kind="stale" size={large ? 18 : 14} />
          {staleLabel}
        </span>
      )}
      {predictionItems?.map((item) => (
        <span key={item.label} className={styles.item} data-testid="rack-heatmap-legend-prediction">
          <PredictionBadge color={item.color} size={large ? 18 : 14} />
          {item.label}
        </span>
      ))}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2, placement: LegendPlacement, large: boolean) => ({
  legend: css({
    display: 'flex',
    flexDirection: placement === 'right' ? 'column' : 'row',
    flexWrap: 'wrap',
    alignItems: placement === 'right' ? 'flex-start' : 'center',
    gap: theme.spacing(placement === 'right' ? 0.5 : 1.5),
    fontSize: large ? theme.typography.h5.fontSize : theme.typography.bodySmall.fontSize,
    color: theme.colors.text.secondary,
    flex: 'none',
    padding: theme.spacing(0.5, 0, 0, 0),
    overflow: 'hidden',
  }),
  title: css({ color: theme.colors.text.primary, fontWeight: theme.typography.fontWeightMedium }),
  item: css({ display: 'inline-flex', alignItems: 'center', gap: theme.spacing(0.5), whiteSpace: 'nowrap' }),
  swatch: css({ width: large ? 16 : 12, height: large ? 16 : 12, borderRadius: theme.shape.radius.default }),
  gradient: css({ width: large ? 160 : 100, height: large ? 14 : 10, borderRadius: theme.shape.radius.default }),
});
