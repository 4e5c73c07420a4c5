import { css } from '@emotion/css';
import { dateTimeFormat, formattedValueToString, GrafanaTheme2, PanelProps } from '@grafana/data';
import { useStyles2, useTheme2 } from '@grafana/ui';
import React, { useCallback, useMemo, useState } from 'react';
import { BUCKET_STALE } from '../../data/color-index';
import {
  buildFloorModel,
  channelScales,
  combinedPalette,
  FloorModel,
  lastUpdated,
  paintSlices,
} from '../../data/model';
import { MARK_RANKS, RackPredictions, RANK_NAMES } from '../../data/predictions';
import { lastHour, seriesByRack } from '../../data/sparklines';
import { formatAge } from '../../data/stale';
import { RackHeatmapOptions } from '../../types';
import { FloorCanvas } from './FloorCanvas';
import { Legend } from './Legend';
import { followLink, rackLinks, setRackVariable } from './links';
import { badgeStyle } from './PredictionBadge';
import { RackTooltip, TOOLTIP_WIDTH } from './RackTooltip';
import { useElementSize } from './useElementSize';

type Props = PanelProps<RackHeatmapOptions>;

/** CSS px: TV mode's header, the warnings line, the right legend's width (the bottom one wraps as it needs). */
const HEADER_HEIGHT = 36;
const WARNING_HEIGHT = 20;
const LEGEND_WIDTH = { desk: 200, tv: 280 };

/** The panel: a message when there is nothing to draw, else the floor. */
export function RackHeatmapPanel(props: Props) {
  const styles = useStyles2(getStyles);
  const result = useMemo(() => buildFloorModel(props.data.series, props.options), [props.data.series, props.options]);
  if ('empty' in result) {
    return (
      <div className={styles.empty} style={{ width: props.width, height: props.height }}>
        {result.empty}
      </div>
    );
  }
  return <Floor {...props} model={result.model} />;
}

interface Pointer {
  rack: number;
  x: number;
  y: number;
}

function Floor({ model, options, data, width, height, timeZone }: Props & { model: FloorModel }) {
  const theme = useTheme2();
  const styles = useStyles2(getStyles);
  const tv = options.text.tvMode;
  const [hover, setHover] = useState<Pointer>({ rack: -1, x: 0, y: 0 });
  const [pinned, setPinned] = useState<Pointer | undefined>(undefined);

  // stale is judged at the end of the time range: a dashboard looking at last Tuesday judges last Tuesday
  const now = data.timeRange.to.valueOf();
  const scales = useMemo(() => channelScales(model, theme, options), [model, theme, options]);
  const palette = useMemo(() => combinedPalette(scales), [scales]);
  const slices = useMemo(() => paintSlices(model, scales, now), [model, scales, now]);
  const series = useMemo(() => seriesByRack(data.series), [data.series]);
  const formatValue = useCallback(
    (s: number, i: number) => {
      const c = model.channels[s];
      const v = c?.value[i];
      return c && v !== undefined && !Number.isNaN(v) && c.field.display
        ? formattedValueToString(c.field.display(v))
        : '';
    },
    [model]
  );

  const legendRight = options.legend.show && options.legend.placement === 'right';
  const warnings = model.warnings.join(' · ');
  const [floorElement, setFloorElement] = useState<HTMLDivElement | null>(null);
  const { width: floorWidth, height: floorHeight } = useElementSize(floorElement, { width, height });

  const showTooltip = options.interaction.tooltip && !tv;
  const shown = pinned ?? (showTooltip && hover.rack >= 0 ? hover : undefined);
  const t = model.table;
  const updated = lastUpdated(model);
  const counts = useMemo(() => statusCounts(slices), [slices]);
  const predicted = model.predictions ? model.predictions.racksByRank.reduce((a, b) => a + b, 0) : 0;
  const predictionItems = useMemo(
    () => (model.predictions ? predictionLegend(model.predictions, theme) : undefined),
    [model.predictions, theme]
  );

  const onSelect = (rack: number, x: number, y: number) => {
    if (rack < 0) {
      setPinned(undefined);
      return;
    }
    if (options.interaction.variable) {
      setRackVariable(options.interaction.variable, t.id[rack]!);
    }
    const links = rackLinks(model, rack);
    if (links.length === 1 && links[0]!.oneClick) {
      followLink(links[0]!);
      return;
    }
    setPinned(showTooltip || links.length > 0 ? { rack, x, y } : undefined);
  };

  return (
    <div className={styles.panel} style={{ width, height }} data-testid="rack-heatmap">
      {tv && (
        <div className={styles.header} style={{ height: HEADER_HEIGHT }}>
          <span>
            {t.count} racks
            {counts.missing > 0 && ` · ${counts.missing} no data`}
            {counts.stale > 0 && ` · ${counts.stale} stale`}
            {predicted > 0 && ` · ${predicted} with predictions`}
          </span>
          <span data-testid="rack-heatmap-updated">
            Last updated{' '}
            {updated === undefined
              ? dateTimeFormat(now, { timeZone, format: 'HH:mm:ss' })
              : `${dateTimeFormat(updated, { timeZone, format: 'HH:mm:ss' })} (${formatAge(now - updated)} ago)`}
          </span>
        </div>
      )}
      <div className={styles.body} style={{ flexDirection: legendRight ? 'row' : 'column' }}>
        <div
          className={styles.floor}
          ref={setFloorElement}
          onKeyDown={(e) => e.key === 'Escape' && setPinned(undefined)}
        >
          <FloorCanvas
            model={model}
            palette={palette}
            slices={slices}
            formatValue={formatValue}
            options={options}
            theme={theme}
            width={floorWidth}
            height={floorHeight}
            hovered={showTooltip || pinned ? hover.rack : -1}
            selected={pinned?.rack ?? -1}
            onHover={(rack, x, y) => setHover((h) => (h.rack === rack && rack < 0 ? h : { rack, x, y }))}
            onSelect={onSelect}
          />
          {shown && (
            <RackTooltip
              model={model}
              rack={shown.rack}
              now={now}
              colorOf={(k) => {
                const b = slices[k]?.[shown.rack];
                return b !== undefined && b < BUCKET_STALE ? palette[b] : undefined;
              }}
              sparkline={sparklineOf(model, shown.rack, series, now, options.interaction.sparkline)}
              links={rackLinks(model, shown.rack)}
              pinned={pinned !== undefined}
              onClose={() => setPinned(undefined)}
              left={Math.min(shown.x + 16, Math.max(floorWidth - TOOLTIP_WIDTH - 4, 0))}
              top={Math.min(shown.y + 16, Math.max(floorHeight - 160, 0))}
            />
          )}
        </div>
        {options.legend.show && scales[0] && (
          <Legend
            width={legendRight ? LEGEND_WIDTH[tv ? 'tv' : 'desk'] : undefined}
            title={model.channels[0]?.name ?? ''}
            legend={scales[0].legend}
            mappingItems={scales[0].mappingItems}
            staleLabel={model.staleAfterMs === undefined ? undefined : `Stale > ${options.color.staleAfter.trim()}`}
            predictionItems={predictionItems}
            placement={options.legend.placement}
            large={tv}
          />
        )}
      </div>
      {warnings && (
        <div className={styles.warning} role="status">
          {warnings}
        </div>
      )}
    </div>
  );
}

function sparklineOf(
  model: FloorModel,
  rack: number,
  series: ReturnType<typeof seriesByRack>,
  now: number,
  enabled: boolean
) {
  if (!enabled) {
    return undefined;
  }
  const t = model.table;
  const found = series.get(`${t.hall[rack]}/${t.id[rack]}`) ?? series.get(t.id[rack]!);
  return found && lastHour(found, now);
}

/** A legend entry per severity on the floor, most severe first; one grey entry saying there are none. */
function predictionLegend(p: RackPredictions, theme: GrafanaTheme2) {
  const fill = badgeStyle(theme).fill;
  const items = [...MARK_RANKS]
    .reverse()
    .filter((r) => p.racksByRank[r] > 0)
    .map((r) => ({ color: fill[r]!, label: `${RANK_NAMES[r]} prediction` }));
  return items.length > 0 ? items : [{ color: theme.colors.text.disabled, label: 'No open predictions' }];
}

/** Racks drawn without a value or with a stale one (first slice), for TV mode's header. */
function statusCounts(slices: Uint16Array[]) {
  let missing = 0;
  let stale = 0;
  for (const b of slices[0] ?? []) {
    if (b > BUCKET_STALE) {
      missing++;
    } else if (b === BUCKET_STALE) {
      stale++;
    }
  }
  return { missing, stale };
}

const getStyles = (theme: GrafanaTheme2) => ({
  panel: css({ display: 'flex', flexDirection: 'column', overflow: 'hidden' }),
  header: css({
    display: 'flex',
    justifyContent: 'space-between',
    alignItems: 'center',
    fontSize: theme.typography.h4.fontSize,
    color: theme.colors.text.primary,
  }),
  body: css({ display: 'flex', flex: 1, minHeight: 0 }),
  // the floor takes what the legend leaves; its size is measured (useElementSize) and given to the canvases
  floor: css({ position: 'relative', flex: 1, minWidth: 0, minHeight: 0, overflow: 'hidden' }),
  warning: css({
    height: WARNING_HEIGHT,
    color: theme.colors.warning.text,
    fontSize: theme.typography.bodySmall.fontSize,
  }),
  empty: css({
    display: 'flex',
    alignItems: 'center',
    justifyContent: 'center',
    color: theme.colors.text.secondary,
    textAlign: 'center',
  }),
});
