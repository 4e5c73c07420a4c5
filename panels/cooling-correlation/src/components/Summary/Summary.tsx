import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { useStyles2, useTheme2 } from '@grafana/ui';
import React from 'react';
import type { Analysis, ResponseAnalysis } from '../../data/analyse';
import type { SummarySize } from '../../types';
import { formatValue, seriesColor } from '../Charts/chart-theme';

interface Props {
  analysis: Analysis;
  /** responses in display order, the primary one first */
  order: number[];
  size: SummarySize;
  width: number;
}

/** Font size of the numbers, px, per summary size: `wall` reads across a NOC from a 4K screen. */
export const SUMMARY_FONT_PX: Record<SummarySize, number> = { compact: 16, large: 28, wall: 48 };

function seconds(ms: number | undefined): string {
  if (ms === undefined) {
    return '–';
  }
  const s = ms / 1000;
  return `${Math.abs(s) >= 100 ? Math.round(s) : Math.round(s * 10) / 10} s`;
}

/** Per unit of load: "°C/kW" when the load is power, else "per <load unit>". */
function effortUnit(analysis: Analysis, r: ResponseAnalysis): string {
  const isPower = ['watt', 'kwatt', 'megwatt', 'gwatt'].includes(analysis.load.unit ?? '');
  const responseUnit = formatValue(1, r.unit).replace(/^1\s?/, '');
  return isPower
    ? `${responseUnit}/kW`
    : `${responseUnit} per ${formatValue(1, analysis.load.unit).replace(/^1\s?/, '') || 'load unit'}`;
}

function effort(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) {
    return '–';
  }
  return Math.abs(value) >= 100 ? value.toFixed(0) : value.toPrecision(3);
}

/** Lag (with its 95 % interval), r and effort per IT kW for each response, large enough for a wall. */
export function Summary({ analysis, order, size, width }: Props) {
  const styles = useStyles2(getStyles);
  const theme = useTheme2();
  const font = SUMMARY_FONT_PX[size];
  // the primary response always; more while they fit side by side
  const fits = Math.max(1, Math.floor(width / (font * 14)));
  return (
    <div className={styles.row} data-testid="cooling-correlation-summary">
      {order.slice(0, fits).map((i) => {
        const r = analysis.responses[i];
        return (
          <div
            key={r.name}
            className={styles.block}
            data-testid="cooling-correlation-stat"
            data-response={r.name}
            data-lag-ms={r.lagMs}
            data-ci-ms={r.ciMs?.join(',')}
            data-r={r.estimate?.r}
            data-slope={r.estimate?.fit.slope}
          >
            <div className={styles.name}>
              <span className={styles.swatch} style={{ background: seriesColor(theme, i + 1) }} />
              {r.name}
            </div>
            <div className={styles.stats}>
              <Stat
                label="lag"
                value={seconds(r.lagMs)}
                note={r.ciMs ? `95 % ${seconds(r.ciMs[0])} … ${seconds(r.ciMs[1])}` : undefined}
                font={font}
              />
              <Stat
                label="r"
                value={r.estimate ? r.estimate.r.toFixed(2) : '–'}
                note={r.estimate ? `r² ${r.estimate.fit.r2.toFixed(2)}` : undefined}
                font={font}
              />
              <Stat label="effort" value={effort(r.effortPerKw)} note={effortUnit(analysis, r)} font={font} />
            </div>
          </div>
        );
      })}
    </div>
  );
}

function Stat({ label, value, note, font }: { label: string; value: string; note?: string; font: number }) {
  const styles = useStyles2(getStyles);
  return (
    <div className={styles.stat}>
      <div className={styles.label}>{label}</div>
      <div className={styles.value} style={{ fontSize: font }}>
        {value}
      </div>
      {note && <div className={styles.label}>{note}</div>}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  row: css({ display: 'flex', gap: theme.spacing(3), overflow: 'hidden' }),
  block: css({ minWidth: 0 }),
  name: css({
    color: theme.colors.text.secondary,
    fontSize: theme.typography.bodySmall.fontSize,
    whiteSpace: 'nowrap',
    overflow: 'hidden',
    textOverflow: 'ellipsis',
  }),
  swatch: css({ display: 'inline-block', width: 10, height: 3, marginRight: 6, verticalAlign: 'middle' }),
  stats: css({ display: 'flex', gap: theme.spacing(2) }),
  stat: css({ display: 'flex', flexDirection: 'column' }),
  label: css({
    color: theme.colors.text.secondary,
    fontSize: theme.typography.bodySmall.fontSize,
    whiteSpace: 'nowrap',
  }),
  value: css({ fontWeight: theme.typography.fontWeightMedium, lineHeight: 1.1, whiteSpace: 'nowrap' }),
});
