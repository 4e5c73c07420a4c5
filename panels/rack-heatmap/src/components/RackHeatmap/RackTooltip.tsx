import { css } from '@emotion/css';
import { formattedValueToString, GrafanaTheme2, LinkModel } from '@grafana/data';
import { IconButton, Sparkline, useStyles2, useTheme2 } from '@grafana/ui';
import React from 'react';
import { FloorModel } from '../../data/model';
import { RackSeries } from '../../data/sparklines';
import { formatAge } from '../../data/stale';
import { followLink } from './links';
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

/** One rack: name, place, every value with its state and age, the last hour, and (pinned) its data links. */
export function RackTooltip(props: RackTooltipProps) {
  const { model, rack, now, colorOf, sparkline, links, pinned } = props;
  const styles = useStyles2(getStyles);
  const theme = useTheme2();
  const t = model.table;
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
  sparkline: css({ marginTop: theme.spacing(0.5) }),
  hint: css({ color: theme.colors.text.secondary, marginTop: theme.spacing(0.5) }),
  link: css({ display: 'block', color: theme.colors.text.link, marginTop: theme.spacing(0.5) }),
});
