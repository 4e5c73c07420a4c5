import type { Dashboard, FieldColorModeId } from '@grafana/schema';
import { dashboard, HEATMAP_PANEL, panel, type GridPos, type Target } from './build';
import { INLET_THRESHOLDS, siteAndHall, rowVariable, thresholds } from './common';

/** A click on a rack opens its rack dashboard, keeping the time range (Grafana data link). */
const RACK_LINK = {
  title: 'Rack ${__data.fields.rack}',
  url: '/d/plenum-rack/plenum-rack?var-site=${site}&var-hall=${hall}&var-rack=${__data.fields.rack}&${__url_time_range}',
};

function heatmap(title: string, gridPos: GridPos, target: Target, defaults: Record<string, unknown>) {
  return panel(HEATMAP_PANEL, title, gridPos, [target], {
    fieldConfig: { defaults: { ...defaults, links: [RACK_LINK] }, overrides: [] },
  });
}

/** One hall by metric — inlet, power, kW headroom — and per-row trends; racks drill down to the rack dashboard. */
export function hall(): Dashboard {
  return dashboard({
    uid: 'plenum-hall',
    title: 'Plenum — Hall',
    description: 'Heatmaps of one hall by inlet temperature, power and kW headroom, with per-row trends.',
    tags: ['hall'],
    variables: [...siteAndHall(), rowVariable()],
    panels: [
      heatmap(
        'Inlet temperature (max per rack)',
        { x: 0, y: 0, w: 8, h: 12 },
        {
          refId: 'A',
          queryType: 'rackLayout',
          hall: ['$hall'],
          selector: { quantity: ['temperature'], tags: ['inlet'] },
          aggregate: 'max',
          live: true,
        },
        { unit: 'celsius', decimals: 1, thresholds: INLET_THRESHOLDS },
      ),
      heatmap(
        'IT power',
        { x: 8, y: 0, w: 8, h: 12 },
        {
          refId: 'A',
          queryType: 'rackLayout',
          hall: ['$hall'],
          selector: { quantity: ['power'], tags: ['pdu'] },
          aggregate: 'sum',
          live: true,
        },
        { unit: 'kwatt', decimals: 0, color: { mode: 'continuous-BlYlRd' as FieldColorModeId } },
      ),
      heatmap(
        'kW headroom',
        { x: 16, y: 0, w: 8, h: 12 },
        {
          refId: 'A',
          queryType: 'rackLayout',
          hall: ['$hall'],
          selector: { quantity: ['power'], tags: ['pdu'] },
          measure: 'headroom',
          live: true,
        },
        {
          unit: 'kwatt',
          decimals: 0,
          thresholds: thresholds(['red', null], ['orange', 10], ['green', 30]),
        },
      ),
      panel(
        'timeseries',
        'Power per row',
        { x: 0, y: 12, w: 12, h: 10 },
        [
          {
            refId: 'A',
            queryType: 'timeseries',
            selector: { hall: ['$hall'], row: ['$row'], quantity: ['power'], tags: ['pdu'] },
            groupBy: 'row',
            aggregate: 'sum',
            alias: 'row {{row}}',
          },
        ],
        { fieldConfig: { defaults: { unit: 'kwatt', custom: { lineWidth: 2, fillOpacity: 5 } }, overrides: [] } },
      ),
      panel(
        'timeseries',
        'Hottest inlet per row',
        { x: 12, y: 12, w: 12, h: 10 },
        [
          {
            refId: 'A',
            queryType: 'timeseries',
            selector: { hall: ['$hall'], row: ['$row'], quantity: ['temperature'], tags: ['inlet'] },
            groupBy: 'row',
            aggregate: 'max',
            alias: 'row {{row}}',
          },
        ],
        {
          fieldConfig: {
            defaults: {
              unit: 'celsius',
              thresholds: INLET_THRESHOLDS,
              custom: { lineWidth: 2, thresholdsStyle: { mode: 'line+area' } },
            },
            overrides: [],
          },
        },
      ),
    ],
  });
}
