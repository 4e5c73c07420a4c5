import { GrafanaTheme2 } from '@grafana/data';
import { useTheme2 } from '@grafana/ui';
import React from 'react';
import { MARK_RANKS, RANK_COLOR_NAMES } from '../../data/predictions';
import type { BadgeStyle } from '../../render/badges';

/** Colours of the prediction marks per severity rank (index 0 unused), as render/badges.ts takes them. */
export function badgeStyle(theme: GrafanaTheme2): BadgeStyle {
  const fill = ['', ...MARK_RANKS.map((r) => theme.visualization.getColorByName(RANK_COLOR_NAMES[r]))];
  return {
    fill,
    glyph: fill.map((c) => (c ? theme.colors.getContrastText(c) : '')),
    edge: theme.colors.text.primary,
  };
}

/** The legend's and tooltip's copy of what badges.ts draws: a tile with a "!" triangle in its top-right corner. */
export function PredictionBadge({ color, size }: { color: string; size: number }) {
  const theme = useTheme2();
  return (
    <svg width={size} height={size} viewBox="0 0 16 16" role="img" aria-label="prediction">
      <rect width="16" height="16" rx="2" fill={theme.colors.background.secondary} />
      <path
        d="M3 1 L15 1 L15 13 Z"
        fill={color}
        stroke={theme.colors.text.primary}
        strokeWidth="1.2"
        strokeLinejoin="round"
      />
      <path
        d="M11.5 3.3 L11.5 6.6 M11.5 8.7 L11.5 8.75"
        stroke={theme.colors.getContrastText(color)}
        strokeWidth="1.6"
        strokeLinecap="round"
      />
    </svg>
  );
}
