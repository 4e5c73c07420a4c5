import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';
import React, { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import uPlot from 'uplot';

interface Props {
  /** uPlot options without size; a new object re-creates the plot */
  options: Omit<uPlot.Options, 'width' | 'height'>;
  data: uPlot.AlignedData;
  width: number;
  height: number;
  /** tooltip content for the data index under the cursor; none when it returns null */
  tooltip?: (index: number) => ReactNode;
  testId?: string;
}

interface Hover {
  index: number;
  left: number;
  top: number;
}

/** A uPlot chart (as Grafana draws its graphs) in React: created on new options or data, resized in place. */
export function UPlotView({ options, data, width, height, tooltip, testId }: Props) {
  const styles = useStyles2(getStyles);
  const container = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  // the latest size for a plot created later; resizing an existing plot does not re-create it
  const size = useRef({ width, height });
  const [hover, setHover] = useState<Hover | null>(null);

  const withHooks = useMemo<uPlot.Options>(() => {
    const onCursor = (u: uPlot) => {
      const { idx, left, top } = u.cursor;
      setHover(
        idx === null || idx === undefined || left === undefined || left < 0 ? null : { index: idx, left, top: top ?? 0 }
      );
    };
    return {
      ...options,
      width: 0,
      height: 0,
      hooks: { ...options.hooks, setCursor: [...(options.hooks?.setCursor ?? []), onCursor] },
    };
  }, [options]);

  useEffect(() => {
    size.current = { width, height };
    plot.current?.setSize({ width, height });
  }, [width, height]);

  useEffect(() => {
    if (!container.current) {
      return;
    }
    plot.current = new uPlot({ ...withHooks, ...size.current }, data, container.current);
    return () => {
      plot.current?.destroy();
      plot.current = null;
    };
  }, [withHooks, data]);

  const content = hover && tooltip ? tooltip(hover.index) : null;
  return (
    <div className={styles.wrapper} style={{ width, height }} data-testid={testId}>
      <div ref={container} />
      {content && (
        <div
          className={styles.tooltip}
          style={{
            left: Math.min(hover!.left + 16, width - 220),
            top: Math.min(hover!.top + 16, height - 60),
          }}
        >
          {content}
        </div>
      )}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  wrapper: css({ position: 'relative', overflow: 'hidden' }),
  tooltip: css({
    position: 'absolute',
    pointerEvents: 'none',
    zIndex: theme.zIndex.tooltip,
    background: theme.colors.background.elevated,
    border: `1px solid ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.default,
    boxShadow: theme.shadows.z2,
    padding: theme.spacing(0.5, 1),
    fontSize: theme.typography.bodySmall.fontSize,
    whiteSpace: 'nowrap',
    maxWidth: 320,
  }),
});
