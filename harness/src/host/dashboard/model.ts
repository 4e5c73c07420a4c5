import { compactVertically, normaliseGridPos, GRID_COLUMN_COUNT, type GridPos } from './grid-layout';

/*
 * A Grafana dashboard as saved or provisioned (schema v39+ JSON model), as far as the harness reads it. Everything
 * else in the JSON is kept and ignored.
 */

export interface DatasourceRefJson {
  type?: string;
  uid?: string;
}

export interface PanelJson {
  id?: number;
  type: string;
  title?: string;
  description?: string;
  gridPos?: Partial<GridPos>;
  /** a ref, a name (old dashboards), or null for the default data source */
  datasource?: DatasourceRefJson | string | null;
  targets?: ({ refId?: string; datasource?: DatasourceRefJson | string | null } & Record<string, unknown>)[];
  fieldConfig?: { defaults?: Record<string, unknown>; overrides?: unknown[] };
  options?: Record<string, unknown>;
  pluginVersion?: string;
  transparent?: boolean;
  links?: { title?: string; url?: string; targetBlank?: boolean }[];
  /** lower limit of `$__interval`, e.g. `1m` */
  interval?: string;
  /** instead of the panel's width in px */
  maxDataPoints?: number;
  /** the variable whose selected values each get a copy of the panel */
  repeat?: string;
  /** `h` (side by side, the default) or `v` (stacked) */
  repeatDirection?: 'h' | 'v';
  /** columns per row of a horizontal repeat. @default 4 */
  maxPerRow?: number;
  /** rows only */
  collapsed?: boolean;
  /** rows only: the panels of a collapsed row */
  panels?: PanelJson[];
}

export interface VariableOptionJson {
  text: string | string[];
  value: string | string[];
  selected?: boolean;
}

export interface VariableJson {
  name: string;
  type: string;
  label?: string;
  description?: string;
  /** 0 shown, 1 label hidden, 2 variable hidden */
  hide?: number;
  query?: unknown;
  definition?: string;
  datasource?: DatasourceRefJson | string | null;
  regex?: string;
  multi?: boolean;
  includeAll?: boolean;
  allValue?: string | null;
  current?: { text?: string | string[]; value?: string | string[] };
  options?: VariableOptionJson[];
  /** query variables: 1 on load, 2 on time range change */
  refresh?: number;
  /** 0 off, 1 alphabetical asc, 2 desc, 3 numerical asc, 4 desc, 5/6 case-insensitive alphabetical */
  sort?: number;
  /** interval variables */
  auto?: boolean;
  auto_count?: number;
  auto_min?: string;
}

export interface AnnotationJson {
  name?: string;
  enable?: boolean;
  hide?: boolean;
  iconColor?: string;
  builtIn?: number;
  datasource?: DatasourceRefJson | string | null;
  target?: Record<string, unknown>;
  /** panels the annotation is shown on: `exclude` false → only `ids`, true → all but `ids` */
  filter?: { exclude?: boolean; ids?: number[] };
  [key: string]: unknown;
}

export interface DashboardJson {
  uid?: string;
  title?: string;
  tags?: string[];
  timezone?: string;
  time?: { from: string; to: string };
  /** auto refresh, e.g. `10s`; '' or false for off */
  refresh?: string | false;
  templating?: { list?: VariableJson[] };
  annotations?: { list?: AnnotationJson[] };
  panels?: PanelJson[];
  [key: string]: unknown;
}

/** A thing placed on the grid: a panel (possibly a repeat clone) or a row header. */
export interface LayoutItem {
  /** unique on the dashboard: `<id>` or `<id>-<n>` for repeat clones */
  key: string;
  kind: 'panel' | 'row';
  panel: PanelJson;
  gridPos: GridPos;
  /** the repeat value a clone shows (`scopedVars[repeat]`) */
  repeatValue?: { name: string; text: string; value: string };
  /** rows: collapsed now */
  collapsed?: boolean;
}

/** Names of the selected values of a variable, as repeats read them: `{text, value}` pairs. */
export type RepeatValues = (name: string) => { text: string; value: string }[];

/**
 * The dashboard's grid as Grafana lays it out in view mode: top-level panels in order, each row followed by its
 * panels; a collapsed row's nested panels appear only when its key is in `expandedRows` (pushing everything below
 * down); an expanded row (saved with `collapsed: false`) hides the panels up to the next row when its key is in
 * `collapsedRows`. Repeats are expanded, then the whole grid compacted vertically.
 */
export function layoutDashboard(
  dashboard: DashboardJson,
  options: {
    expandedRows?: ReadonlySet<string>;
    collapsedRows?: ReadonlySet<string>;
    repeatValues?: RepeatValues;
  } = {},
): LayoutItem[] {
  const items: LayoutItem[] = [];
  let hiddenByRow = false;
  const panels = dashboard.panels ?? [];
  panels.forEach((panel, index) => {
    const key = String(panel.id ?? `i${index}`);
    const gridPos = normaliseGridPos(panel.gridPos);
    if (panel.type === 'row') {
      const savedCollapsed = Boolean(panel.collapsed);
      const collapsed = savedCollapsed ? !options.expandedRows?.has(key) : Boolean(options.collapsedRows?.has(key));
      items.push({ key, kind: 'row', panel, gridPos: { ...gridPos, x: 0, w: GRID_COLUMN_COUNT, h: 1 }, collapsed });
      hiddenByRow = collapsed && !savedCollapsed;
      if (savedCollapsed && !collapsed) {
        // nested panels were saved at positions below the row; shift them to start right under it
        const nested = panel.panels ?? [];
        const top = Math.min(...nested.map((p) => normaliseGridPos(p.gridPos).y));
        for (const [n, child] of nested.entries()) {
          const pos = normaliseGridPos(child.gridPos);
          items.push(
            ...repeatPanel(
              child,
              String(child.id ?? `${key}.${n}`),
              { ...pos, y: gridPos.y + 1 + pos.y - top },
              options,
            ),
          );
        }
      }
      return;
    }
    if (!hiddenByRow) items.push(...repeatPanel(panel, key, gridPos, options));
  });
  const placed = compactVertically(items.map((item) => item.gridPos));
  return items.map((item, i) => ({ ...item, gridPos: placed[i]! }));
}

/**
 * Grafana's panel repeat: one copy per selected value of the `repeat` variable, side by side (`h`: width
 * max(24 / count, 24 / maxPerRow), wrapping) or stacked (`v`). A repeat over nothing keeps the panel as it is.
 */
function repeatPanel(
  panel: PanelJson,
  key: string,
  pos: GridPos,
  options: { repeatValues?: RepeatValues },
): LayoutItem[] {
  const values = panel.repeat && options.repeatValues ? options.repeatValues(panel.repeat) : [];
  if (!panel.repeat || values.length === 0) return [{ key, kind: 'panel', panel, gridPos: pos }];
  const name = panel.repeat;
  if (panel.repeatDirection === 'v') {
    return values.map((v, n) => ({
      key: `${key}-${n}`,
      kind: 'panel',
      panel,
      gridPos: { ...pos, y: pos.y + n * pos.h },
      repeatValue: { name, ...v },
    }));
  }
  const maxPerRow = panel.maxPerRow ?? 4;
  const w = Math.max(Math.floor(GRID_COLUMN_COUNT / values.length), Math.floor(GRID_COLUMN_COUNT / maxPerRow));
  const perRow = Math.floor(GRID_COLUMN_COUNT / w);
  return values.map((v, n) => ({
    key: `${key}-${n}`,
    kind: 'panel',
    panel,
    gridPos: { x: (n % perRow) * w, y: pos.y + Math.floor(n / perRow) * pos.h, w, h: pos.h },
    repeatValue: { name, ...v },
  }));
}
