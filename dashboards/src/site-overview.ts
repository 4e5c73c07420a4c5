import type { Dashboard, FieldColorModeId, Panel } from '@grafana/schema';
import { dashboard, HEATMAP_PANEL, panel, row, type GridPos, type Target } from './build';
import {
  BY_THRESHOLDS,
  INLET_THRESHOLDS,
  WALL_STAT,
  fixedColor,
  hallVariable,
  siteVariable,
  thresholds,
} from './common';

/**
 * A link to another Plenum dashboard with the site and a hall set, keeping the time range. `hall` is how the hall
 * is named where the link sits: `${hall}` in a panel repeated per hall, `${__data.fields.hall}` in a data link of a
 * row per hall.
 */
const hallLink = (title: string, uid: string, hall: string): PanelLink => ({
  title,
  url: `/d/${uid}/${uid}?var-site=\${site}&var-hall=${hall}&\${__url_time_range}`,
  targetBlank: false,
});

/** A panel's link as Grafana saves it (the schema types `links` as dashboard links, which have more fields). */
interface PanelLink {
  title: string;
  url: string;
  targetBlank: boolean;
}

/** a row's hall, in a data link or a display name: a `latest` answer grouped by hall has one row per hall */
const ROW_HALL = '${__data.fields.hall}';

/**
 * Bars of the newest value per hall (`latest` grouped by hall: one row per hall, its `value` the hall's sum or max
 * of its points' latest samples), each named by its hall and linking to its NOC wall. `latest` rather than the last
 * bucket of a time series: a bucket still filling lacks the points that have not reported yet, so its sum is low.
 */
function byHall(title: string, gridPos: GridPos, target: Target, defaults: Record<string, unknown>) {
  return panel('bargauge', title, gridPos, [target], {
    fieldConfig: {
      defaults: { ...defaults, links: [hallLink('NOC wall of ${__data.fields.hall}', 'plenum-noc-wall', ROW_HALL)] },
      // Grafana names a row by its display name template, else by all its text columns (hall and quality)
      overrides: [
        { matcher: { id: 'byName', options: 'value' }, properties: [{ id: 'displayName', value: ROW_HALL }] },
      ],
    },
    options: {
      // one bar per row of the value column only, not the count of points behind it: Grafana matches `fields`
      // against display names before it interpolates them, so the value's is the override's template
      reduceOptions: { values: true, calcs: [], fields: '/^\\$\\{__data\\.fields\\.hall\\}$/' },
      orientation: 'horizontal',
      displayMode: 'gradient',
      valueMode: 'color',
      showUnfilled: true,
      namePlacement: 'left',
      sizing: 'auto',
      minVizHeight: 16,
      maxVizHeight: 32,
    },
  });
}

/** A trend per hall (timeseries grouped by hall), named by the alias. */
function trendByHall(title: string, gridPos: GridPos, targets: Target[], defaults: Record<string, unknown>) {
  return panel('timeseries', title, gridPos, targets, {
    fieldConfig: {
      defaults: { ...defaults, custom: { lineWidth: 2, fillOpacity: 5, showPoints: 'never' } },
      overrides: [],
    },
    options: {
      legend: { showLegend: true, displayMode: 'list', placement: 'bottom', calcs: ['lastNotNull'] },
      tooltip: { mode: 'multi', sort: 'desc' },
    },
  });
}

/** A stat repeated per selected hall, side by side (four to a grid row), its value a count of rows. */
function perHall(
  title: string,
  gridPos: GridPos,
  target: Target,
  countField: string,
  steps: Array<[string, number | null]>,
  links: PanelLink[],
) {
  return panel('stat', title, gridPos, [target], {
    repeat: 'hall',
    repeatDirection: 'h',
    maxPerRow: 4,
    links: links as unknown as Panel['links'],
    fieldConfig: {
      // no rows is good news, not "No data"
      defaults: { unit: 'none', decimals: 0, noValue: '0', color: BY_THRESHOLDS, thresholds: thresholds(...steps) },
      overrides: [],
    },
    options: { ...WALL_STAT, reduceOptions: { calcs: ['count'], fields: `/^${countField}$/`, values: false } },
  });
}

const inHalls = { hall: ['$hall'] };
const IT = { ...inHalls, quantity: ['power'], tags: ['pdu'] };
const INLET = { ...inHalls, quantity: ['temperature'], tags: ['inlet'] };
/** cooling's electric power: CRAH fans and the chilled-water plant (chillers and pumps), as the twin tags them */
const FANS = { ...inHalls, quantity: ['power'], tags: ['fan', 'elec'] };
const CHW = { ...inHalls, quantity: ['power'], tags: ['chiller', 'elec'] };

/**
 * Every hall of a site side by side: the rack inlets of all halls on one floor plan, IT power, cooling power and
 * the worst inlet per hall as bars and trends, and per hall its open predictions and alarms and its points that are
 * bad, stale or missing (what a down connector leaves), each linking to that hall's NOC wall, hall, predictions and
 * data-quality dashboards with the hall set. Queries grouped by hall cost one query per panel, not one per hall, so
 * the page stays light at tens of halls; only the two counts are repeated per hall.
 */
export function siteOverview(): Dashboard {
  return dashboard({
    uid: 'plenum-site-overview',
    title: 'Plenum — Site overview',
    description:
      'Every hall of a site side by side: rack inlets, IT and cooling power, worst inlet, open predictions and alarms, and points needing attention, with links to each hall.',
    tags: ['site', 'overview'],
    refresh: '30s',
    variables: [siteVariable(), hallVariable({ multi: true, includeAll: true })],
    // job annotations belong to a hall's charts; over many halls they would be noise
    annotations: false,
    panels: [
      panel(
        HEATMAP_PANEL,
        'Rack inlet temperature — every hall of $site side by side',
        { x: 0, y: 0, w: 24, h: 12 },
        [
          {
            refId: 'A',
            queryType: 'rackLayout',
            hall: ['$hall'],
            selector: { quantity: ['temperature'], tags: ['inlet'] },
            aggregate: 'max',
          },
          // racks with an open prediction get a corner mark in its severity colour
          { refId: 'P', queryType: 'events', types: ['prediction'], hall: ['$hall'], open: true, limit: 500 },
        ],
        {
          fieldConfig: {
            defaults: {
              unit: 'celsius',
              decimals: 1,
              thresholds: INLET_THRESHOLDS,
              links: [
                {
                  title: 'Rack ${__data.fields.rack} in ${__data.fields.hall}',
                  url: '/d/plenum-rack/plenum-rack?var-site=${site}&var-hall=${__data.fields.hall}&var-rack=${__data.fields.rack}&${__url_time_range}',
                },
              ],
            },
            overrides: [],
          },
          // every hall the query returns, side by side (layout.hall ''); values hidden: tiles are small at site scale
          options: {
            layout: { hall: '', splitValues: false, showAisles: true, showRowNames: true },
            text: { showLabels: true, showValues: false, tvMode: false },
            color: { preset: 'ashrae', staleAfter: '5m' },
          },
        },
      ),
      byHall(
        'IT power by hall',
        { x: 0, y: 12, w: 6, h: 8 },
        { refId: 'IT', queryType: 'latest', selector: IT, groupBy: 'hall', aggregate: 'sum' },
        { unit: 'kwatt', decimals: 0, min: 0, color: fixedColor('blue') },
      ),
      byHall(
        'CRAH fan power by hall',
        { x: 6, y: 12, w: 6, h: 8 },
        { refId: 'FANS', queryType: 'latest', selector: FANS, groupBy: 'hall', aggregate: 'sum' },
        { unit: 'kwatt', decimals: 1, min: 0, color: fixedColor('purple') },
      ),
      byHall(
        'Chilled-water plant power by hall',
        { x: 12, y: 12, w: 6, h: 8 },
        { refId: 'CHW', queryType: 'latest', selector: CHW, groupBy: 'hall', aggregate: 'sum' },
        { unit: 'kwatt', decimals: 0, min: 0, color: fixedColor('purple') },
      ),
      byHall(
        'Worst rack inlet by hall',
        { x: 18, y: 12, w: 6, h: 8 },
        { refId: 'IN', queryType: 'latest', selector: INLET, groupBy: 'hall', aggregate: 'max' },
        { unit: 'celsius', decimals: 1, min: 14, max: 35, thresholds: INLET_THRESHOLDS, color: BY_THRESHOLDS },
      ),
      trendByHall(
        'IT and CRAH fan power by hall over time',
        { x: 0, y: 20, w: 12, h: 8 },
        [
          {
            refId: 'IT',
            queryType: 'timeseries',
            selector: IT,
            groupBy: 'hall',
            aggregate: 'sum',
            alias: '{{hall}} IT',
          },
          {
            refId: 'COOL',
            queryType: 'timeseries',
            selector: FANS,
            groupBy: 'hall',
            aggregate: 'sum',
            alias: '{{hall}} CRAH fans',
          },
        ],
        { unit: 'kwatt', color: { mode: 'palette-classic' as FieldColorModeId } },
      ),
      trendByHall(
        'Worst rack inlet by hall over time',
        { x: 12, y: 20, w: 12, h: 8 },
        [
          {
            refId: 'IN',
            queryType: 'timeseries',
            selector: INLET,
            groupBy: 'hall',
            aggregate: 'max',
            alias: '{{hall}}',
          },
        ],
        { unit: 'celsius', decimals: 1, thresholds: INLET_THRESHOLDS },
      ),
      row('Each hall of $site', 28),
      perHall(
        '$hall — open predictions and alarms',
        { x: 0, y: 29, w: 6, h: 4 },
        { refId: 'A', queryType: 'events', types: ['prediction', 'alarm'], hall: ['$hall'], open: true, limit: 1000 },
        'id',
        [
          ['green', null],
          ['orange', 1],
          ['red', 5],
        ],
        [
          hallLink('NOC wall', 'plenum-noc-wall', '${hall}'),
          hallLink('Hall', 'plenum-hall', '${hall}'),
          hallLink('Predictions', 'plenum-predictions', '${hall}'),
        ],
      ),
      perHall(
        '$hall — points bad, stale or missing',
        { x: 0, y: 33, w: 6, h: 4 },
        { refId: 'A', queryType: 'latest', selector: inHalls, problemsOnly: true },
        'point',
        [
          ['green', null],
          ['orange', 1],
          ['red', 20],
        ],
        [hallLink('Data quality', 'plenum-data-quality', '${hall}')],
      ),
    ],
  });
}
