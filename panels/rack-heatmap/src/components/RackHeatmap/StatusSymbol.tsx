import { useTheme2 } from '@grafana/ui';
import React from 'react';

/** The legend's and tooltip's copy of what tiles.ts draws: ✕ on hatch for no data, a clock on hatch for stale. */
export function StatusSymbol({ kind, size }: { kind: 'missing' | 'stale'; size: number }) {
  const theme = useTheme2();
  const id = `rack-heatmap-hatch-${kind}`;
  const line = theme.colors.text.secondary;
  return (
    <svg
      width={size}
      height={size}
      viewBox="0 0 16 16"
      role="img"
      aria-label={kind === 'missing' ? 'no data' : 'stale'}
    >
      <defs>
        <pattern id={id} width="4" height="4" patternUnits="userSpaceOnUse">
          <path d="M0 4 L4 0" stroke={theme.colors.border.strong} strokeWidth="1" />
        </pattern>
      </defs>
      <rect width="16" height="16" rx="2" fill={theme.colors.background.secondary} />
      <rect width="16" height="16" rx="2" fill={`url(#${id})`} />
      {kind === 'missing' ? (
        <path d="M5 5 L11 11 M11 5 L5 11" stroke={line} strokeWidth="1.6" strokeLinecap="round" />
      ) : (
        <g fill="none" stroke={line} strokeWidth="1.4" strokeLinecap="round">
          <circle cx="8" cy="8" r="4" />
          <path d="M8 5.5 L8 8 L10 8" />
        </g>
      )}
    </svg>
  );
}
