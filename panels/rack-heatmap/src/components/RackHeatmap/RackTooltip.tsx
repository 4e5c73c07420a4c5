import { css } from '@emotion/css';
import { formattedValueToString, GrafanaTheme2, LinkModel } from '@grafana/data';
import { IconButton, Sparkline, useStyles2, useTheme2 } from '@grafana/ui';
import React from 'react';
import { FloorModel } from '../../data/model';
import { Prediction } from '../../data/predictions';
import { RackSeries } from '../../data/sparklines';
import { formatAge } from '../../data/stale';
import { followLink } from './links';
import { badgeStyle, PredictionBadge } from './PredictionBadge';
import { StatusSymbol } from './StatusSymbol';

export interface RackTooltipProps {
  model: FloorModel;
  rack: number;
  /** end of the time range, ms: ages are measured from it */
  now: number;
  /** tile colour of value k, when it is drawn */
  colorOf: (channel: number) => string | undefined;
  sparkline?: RackSeries;
  links: LinkModel[];
  /** pinned by a click: shows the links and a close button */
  pinned: boolean;
  onClose: () => void;
  /** top-left corner, CSS px within the panel */
  left: number;
  top: number;
}

export const TOOLTIP_WIDTH = 260;

/**
 * One rack: name, place, every value with its state and age, its open predictions (time to limit, diagnosis,
 * severity), the last hour, and (pinned) its data links.
 */
export function RackTooltip(props: RackTooltipProps) {
  const { model, rack, now, colorOf, sparkline, links, pinned } = props;
  const styles = useStyles2(getStyles);
  const theme = useTheme2();
  const t = model.table;
  const predictions = model.predictions?.byRack[rack] ?? [];
  const place = [t.hall[rack], t.row[rack] && `row ${t.row[rack]}`].filter(Boolean).join(' · ');
  return (
    <div
      className={styles.tooltip}
      style={{ left: props.left, top: props.top }}
      data-testid="rack-heatmap-tooltip"
      role="tooltip"
    >
      <div className={styles.header}>
        <span className={styles.title}>{t.label[rack]}</span>
        {pinned && <IconButton name="times" size="sm" aria-label="Close" onClick={props.onClose} />}
      </div>
      {place && <div className={styles.place}>{place}</div>}
      {t.channels.map((c, k) => {
        const v = c.value[rack]!;
        const time = c.time[rack]!;
        const stale = model.staleAfterMs !== undefined && time < now - model.staleAfterMs;
        const display = Number.isNaN(v) ? undefined : c.field.display?.(v);
        const quality = c.quality && c.rowOf[rack]! >= 0 ? String(c.quality.values[c.rowOf[rack]!] ?? '') : '';
        return (
          <div key={k} className={styles.row} data-testid="rack-heatmap-tooltip-value">
            {display === undefined || stale ? (
              <StatusSymbol kind={display === undefined ? 'missing' : 'stale'} size={12} />
            ) : (
              <span className={styles.swatch} style={{ background: colorOf(k) ?? display.color }} />
            )}
            <span className={styles.name}>{c.name}</span>
            <span className={styles.value}>
              {display ? formattedValueToString(display) : 'No data'}
              {quality && quality !== 'good' ? ` (${quality})` : ''}
            </span>
            {Number.isFinite(time) && (
              <span className={stale ? styles.stale : styles.age}>
                {stale ? 'stale, ' : ''}
                {formatAge(now - time)} ago
              </span>
            )}
          </div>
        );
      })}
      {predictions.length > 0 && (
        <PredictionList predictions={predictions} colors={badgeStyle(theme).fill} styles={styles} />
      )}
      {sparkline && (
        <div className={styles.sparkline} data-testid="rack-heatmap-sparkline">
          <Sparkline
            width={TOOLTIP_WIDTH - 16}
            height={36}
            sparkline={sparkline}
            theme={theme}
            config={sparkline.y.config}
          />
          <span className={styles.age}>last hour</span>
        </div>
      )}
      {pinned
        ? links.map((link, k) => (
            <a
              key={k}
              className={styles.link}
              href={link.href}
              target={link.target}
              onClick={(e) => followLink(link, e)}
              data-testid="rack-heatmap-link"
            >
              {link.title || link.href}
            </a>
          ))
        : links.length > 0 && <div className={styles.hint}>Click for links</div>}
    </div>
  );
}

/**
 * Each prediction: its diagnosis (or title) and severity, then the time to its limit with the interval — "inlet
 * reaches 27 °C in ~14 min (10–19 min)" — or, without one, the title where it says more than the diagnosis.
 */
function PredictionList(props: { predictions: Prediction[]; colors: string[]; styles: ReturnType<typeof getStyles> }) {
  const { predictions, colors, styles } = props;
  return (
    <div className={styles.predictions}>
      {predictions.map((p) => {
        const head = p.diagnosis || p.title;
        const detail = p.lead || (p.diagnosis && p.title !== p.diagnosis ? p.title : '');
        return (
          <div key={p.row} className={styles.prediction} data-testid="rack-heatmap-tooltip-prediction">
            <div className={styles.row}>
              <PredictionBadge color={colors[p.rank]!} size={12} />
              <span className={styles.name}>{head}</span>
              <span className={styles.severity} style={{ color: colors[p.rank] }}>
                {p.severity}
              </span>
            </div>
            {detail && <div className={p.lead ? styles.lead : styles.detail}>{detail}</div>}
          </div>
        );
      })}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  tooltip: css({
    position: 'absolute',
    zIndex: theme.zIndex.tooltip,
    width: TOOLTIP_WIDTH,
    padding: theme.spacing(1),
    background: theme.components.tooltip.background,
    color: theme.components.tooltip.text,
    border: `1px solid ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.default,
    boxShadow: theme.shadows.z3,
    fontSize: theme.typography.bodySmall.fontSize,
    pointerEvents: 'auto',
  }),
  header: css({ display: 'flex', justifyContent: 'space-between', alignItems: 'center' }),
  title: css({ fontWeight: theme.typography.fontWeightMedium, fontSize: theme.typography.body.fontSize }),
  place: css({ color: theme.colors.text.secondary, marginBottom: theme.spacing(0.5) }),
  row: css({ display: 'flex', alignItems: 'center', gap: theme.spacing(0.75), lineHeight: 1.8 }),
  swatch: css({ width: 12, height: 12, borderRadius: 2, flex: 'none' }),
  name: css({ flex: 1, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }),
  value: css({ fontWeight: theme.typography.fontWeightMedium }),
  age: css({ color: theme.colors.text.secondary }),
  stale: css({ color: theme.colors.warning.text }),
  predictions: css({
    marginTop: theme.spacing(0.5),
    paddingTop: theme.spacing(0.5),
    borderTop: `1px solid ${theme.colors.border.weak}`,
  }),
  prediction: css({ lineHeight: 1.5, '& + &': { marginTop: theme.spacing(0.5) } }),
  severity: css({ fontWeight: theme.typography.fontWeightMedium }),
  // indented past the badge (12 px and the row's gap)
  lead: css({ fontWeight: theme.typography.fontWeightMedium, paddingLeft: 18 }),
  detail: css({ color: theme.colors.text.secondary, paddingLeft: 18 }),
  sparkline: css({ marginTop: theme.spacing(0.5) }),
  hint: css({ color: theme.colors.text.secondary, marginTop: theme.spacing(0.5) }),
  link: css({ display: 'block', color: theme.colors.text.link, marginTop: theme.spacing(0.5) }),
});
