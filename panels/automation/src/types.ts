/**
 * Options of `plenum-automation-panel` and the few names it shares with the Plenum data source. The panel runs no
 * query: it reads the backend's automation API through the data source's proxy routes (`plenum` with the read token,
 * `plenum-operate` with the operate token, which Grafana opens to Editors and above).
 */

/** The data source plugin whose proxy routes the panel calls. */
export const DATASOURCE_TYPE = 'plenum-itot-datasource';
/** Its proxy route with the read token (`PLENUM_API_TOKEN`): state and events. */
export const READ_ROUTE = 'plenum';
/** Its proxy route with the operate token (`PLENUM_OPERATE_TOKEN`), `reqRole: Editor` in its plugin.json. */
export const OPERATE_ROUTE = 'plenum-operate';
/** The lowest Grafana role the operate route lets through (the data source's `reqRole`). */
export const OPERATE_ROLE = 'Editor';

/** Who is offered the controls: users whose role the operate route lets through, or nobody (a read-only wall). */
export type ControlsMode = 'role' | 'never';
/** `auto`: two columns when the panel is wide enough; `stacked`: one column; `columns`: always two. */
export type Layout = 'auto' | 'stacked' | 'columns';
/** `compact`: one line per rule (summary and details in tooltips), a smaller stop bar — for walls and small panels. */
export type Density = 'normal' | 'compact';

export interface AutomationOptions {
  // ── data ──
  /** uid of a Plenum data source (may be a `$variable`); '' = the default Plenum data source. @default '' */
  datasource: string;
  /** how often the panel reads the state again, s. @default 5 */
  pollS: number;
  // ── sections ──
  /** @default true */
  showRules: boolean;
  /** pending proposals (with Approve / Reject) and the latest decided ones. @default true */
  showProposals: boolean;
  /** automation events of the dashboard's time range, newest first. @default true */
  showActions: boolean;
  /** @default true */
  showLeases: boolean;
  /** most actions listed. @default 20 */
  actionsLimit: number;
  /** dry-run "would write" events among the actions. @default true */
  showDryRun: boolean;
  // ── controls ──
  /** @default 'role' */
  controls: ControlsMode;
  // ── display ──
  /** @default 'auto' */
  layout: Layout;
  /** @default 'normal' */
  density: Density;
}

/** Every default in one place: the options builder, migrations and the tests read them from here. */
export const DEFAULT_OPTIONS: AutomationOptions = {
  datasource: '',
  pollS: 5,
  showRules: true,
  showProposals: true,
  showActions: true,
  showLeases: true,
  actionsLimit: 20,
  showDryRun: true,
  controls: 'role',
  layout: 'auto',
  density: 'normal',
};

/** Bounds the options builder offers and migrations enforce. */
export const LIMITS = {
  /** s; the backend evaluates rules once a second, faster polling shows nothing new */
  pollS: { min: 1, max: 300 },
  actionsLimit: { min: 1, max: 200 },
} as const;
