import type { LoadCombine } from './data/analyse';

/** Which charts the panel shows and how they share its area. */
export type Layout = 'auto' | 'stacked' | 'row' | 'time' | 'scatter' | 'lag';
export type LoadCombineOption = 'auto' | LoadCombine;
/** Size of the summary numbers: `wall` is readable across a NOC. */
export type SummarySize = 'compact' | 'large' | 'wall';

export interface CorrelationOptions {
  // ── series ──
  /** load series: comma-separated names or `/regex/`; empty = detect (power, utilisation). @default '' */
  loadFields: string;
  /** response series, the same way; empty = every other numeric series. @default '' */
  responseFields: string;
  /** how several load series make one; auto = sum for power, mean otherwise. @default 'auto' */
  loadCombine: LoadCombineOption;
  // ── analysis ──
  /** longest lag searched, either way, s. @default 600 */
  maxLagS: number;
  /** grid step, s; 0 = the coarsest native sampling interval. @default 0 */
  resolutionS: number;
  /** neighbours further apart leave a gap, s; 0 = 5 × each series' interval. @default 0 */
  maxGapS: number;
  /** a response lagging more than this is shaded on the time axis, s; 0 = off. @default 180 */
  lagThresholdS: number;
  /** window for the lag over time, s; 0 = 4 × the maximum lag. @default 0 */
  windowS: number;
  // ── events ──
  /** show annotations (job starts) on the time chart. @default true */
  showEvents: boolean;
  /** only annotations whose title, text or tags contain this (case-insensitive); empty = all. @default '' */
  eventFilter: string;
  // ── display ──
  /** @default 'auto' (time chart above scatter and lag curve, or side by side when wide) */
  layout: Layout;
  /** @default true */
  showSummary: boolean;
  /** @default 'large' */
  summarySize: SummarySize;
  /** the response the scatter and summary show first (name); empty = the best correlated. @default '' */
  primaryResponse: string;
}

/** Every default in one place: the options builder, migrations and the tests read them from here. */
export const DEFAULT_OPTIONS: CorrelationOptions = {
  loadFields: '',
  responseFields: '',
  loadCombine: 'auto',
  maxLagS: 600,
  resolutionS: 0,
  maxGapS: 0,
  lagThresholdS: 180,
  windowS: 0,
  showEvents: true,
  eventFilter: '',
  layout: 'auto',
  showSummary: true,
  summarySize: 'large',
  primaryResponse: '',
};
