import type { AnnotationQuery, Dashboard, Panel, RowPanel, VariableModel } from '@grafana/schema';
import { variableDefinition } from '../../datasource/src/data/variables';
import type { PlenumQuery, VariableQuery } from '../../datasource/src/types';

/**
 * Small typed builders for the provisioned dashboards: every panel and variable uses the Plenum data source by
 * the uid provisioning gives it, and targets are the datasource's own query types, so a renamed field fails the
 * type check instead of a dashboard at run time.
 */

export const PLENUM = { type: 'plenum-itot-datasource', uid: 'plenum' } as const;

export const HEATMAP_PANEL = 'plenum-rackheatmap-panel';
export const CORRELATION_PANEL = 'plenum-coolingcorrelation-panel';
export const AUTOMATION_PANEL = 'plenum-automation-panel';

/** Grafana's dashboard JSON version these files are written for (Grafana 12–13). */
export const SCHEMA_VERSION = 41;

export type Target = PlenumQuery;

export interface GridPos {
  x: number;
  y: number;
  w: number;
  h: number;
}

let nextId = 1;

/** A panel on the 24-column grid; ids are numbered per dashboard by `dashboard()`. */
export function panel(
  type: string,
  title: string,
  gridPos: GridPos,
  targets: Target[],
  extra: Partial<Panel> = {},
): Panel {
  return {
    type,
    title,
    gridPos,
    datasource: PLENUM,
    targets: targets.map((t) => ({ datasource: PLENUM, ...t })),
    fieldConfig: { defaults: {}, overrides: [] },
    options: {},
    ...extra,
  };
}

export function row(title: string, y: number): RowPanel {
  return { type: 'row', id: 0, title, gridPos: { x: 0, y, w: 24, h: 1 }, collapsed: false, panels: [] };
}

/** A query variable listing topology levels or points through the datasource's variable support. */
export function queryVariable(
  name: string,
  label: string,
  query: VariableQuery,
  opts: { multi?: boolean; includeAll?: boolean; current?: string | string[] } = {},
): VariableModel {
  const current = opts.current ?? (opts.includeAll ? '$__all' : '');
  return {
    type: 'query',
    name,
    label,
    datasource: PLENUM,
    query: { refId: `${name}-variable`, ...query } as never,
    // what Grafana lists for the variable, as the plugin's variable editor writes it: `halls(site=$site)`
    definition: variableDefinition(query),
    refresh: 1,
    sort: 0,
    multi: opts.multi ?? false,
    includeAll: opts.includeAll ?? false,
    current: {
      text: current === '$__all' ? 'All' : current,
      value: current,
    },
    options: [],
  } as VariableModel;
}

export function dashboard(d: {
  uid: string;
  title: string;
  description: string;
  tags: string[];
  panels: Array<Panel | RowPanel>;
  variables: VariableModel[];
  /** @default 'now-1h' */
  from?: string;
  /** @default 'now'; later for forecasts, which draw beyond now */
  to?: string;
  /** @default '30s' */
  refresh?: string;
  /** job start/end annotations from events, on by default */
  annotations?: boolean;
  /** more annotation queries after the jobs one, e.g. `automationAnnotation()` */
  moreAnnotations?: AnnotationQuery[];
}): Dashboard {
  nextId = 1;
  const numbered = d.panels.map((p) => ({ ...p, id: nextId++ }));
  return {
    uid: d.uid,
    title: d.title,
    description: d.description,
    tags: ['plenum', ...d.tags],
    editable: true,
    graphTooltip: 1,
    schemaVersion: SCHEMA_VERSION,
    version: 1,
    time: { from: d.from ?? 'now-1h', to: d.to ?? 'now' },
    timepicker: {},
    timezone: 'browser',
    refresh: d.refresh ?? '30s',
    fiscalYearStartMonth: 0,
    liveNow: false,
    links: [
      { title: 'Plenum', type: 'dashboards', tags: ['plenum'], asDropdown: true, icon: 'external link' },
    ] as Dashboard['links'],
    annotations: {
      list: [
        {
          name: 'Jobs',
          enable: d.annotations ?? true,
          iconColor: 'purple',
          datasource: PLENUM,
          target: { refId: 'Anno', queryType: 'events', types: ['job'] } as never,
        },
        ...(d.moreAnnotations ?? []),
      ],
    },
    templating: { list: d.variables },
    panels: numbered,
  };
}

/**
 * The automation audit trail as annotations: every decision, write, refusal, proposal, mode change and emergency stop
 * (`automation` events), on the panels whose ids are given, or every panel.
 */
export function automationAnnotation(panelIds?: number[]): AnnotationQuery {
  return {
    name: 'Automation',
    enable: true,
    iconColor: 'orange',
    datasource: PLENUM,
    target: { refId: 'Anno', queryType: 'events', types: ['automation'] } as never,
    ...(panelIds && { filter: { exclude: false, ids: panelIds } }),
  } as AnnotationQuery;
}

/**
 * Prediction events as annotations: when each prediction opened (and closed), titled with asset, diagnosis and
 * lead time, on the panels whose ids are given, or every panel.
 */
export function predictionAnnotation(panelIds?: number[]): AnnotationQuery {
  return {
    name: 'Predictions',
    enable: true,
    iconColor: 'red',
    datasource: PLENUM,
    target: { refId: 'Anno', queryType: 'events', types: ['prediction'] } as never,
    ...(panelIds && { filter: { exclude: false, ids: panelIds } }),
  } as AnnotationQuery;
}
