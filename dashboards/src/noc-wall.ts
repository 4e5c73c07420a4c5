import type { Dashboard } from '@grafana/schema';
import { AUTOMATION_PANEL, dashboard, HEATMAP_PANEL, panel, PLENUM } from './build';
import { BY_THRESHOLDS, INLET_THRESHOLDS, VALUE_STAT, colouredColumn, fixedColor, siteAndHall } from './common';

/**
 * The NOC wall: one hall on a 1080p TV in kiosk mode, readable at 5 m, nothing behind a hover. 27 grid rows of
 * 30 px + margins fill 1080 px. Live queries keep the floor, load and stats moving every second.
 */
export function nocWall(): Dashboard {
  return dashboard({
    uid: 'plenum-noc-wall',
    title: 'Plenum — NOC wall',
    description:
      'Hall heatmap, IT load against the cooling response, open predictions, jobs, connectors, alarms and automation, for wall displays.',
    tags: ['noc', 'wall'],
    refresh: '10s',
    variables: [...siteAndHall()],
    panels: [
      panel(
        HEATMAP_PANEL,
        'Rack inlet temperature — $hall',
        { x: 0, y: 0, w: 14, h: 18 },
        [
          {
            refId: 'A',
            queryType: 'rackLayout',
            hall: ['$hall'],
            selector: { quantity: ['temperature'], tags: ['inlet'] },
            aggregate: 'max',
            live: true,
          },
          // racks with an open prediction get a corner mark in its severity colour (the table beside lists them)
          { refId: 'P', queryType: 'events', types: ['prediction'], hall: ['$hall'], open: true, limit: 500 },
        ],
        {
          fieldConfig: { defaults: { unit: 'celsius', decimals: 1, thresholds: INLET_THRESHOLDS }, overrides: [] },
          // TV mode: large type, no hover, "last updated"; ASHRAE bands so a wall reads the same in every hall
          options: {
            text: { showLabels: true, showValues: true, tvMode: true },
            color: { preset: 'ashrae', staleAfter: '2m' },
          },
        },
      ),
      panel(
        'stat',
        'IT load',
        { x: 14, y: 0, w: 5, h: 5 },
        [
          {
            refId: 'A',
            queryType: 'latest',
            selector: { hall: ['$hall'], quantity: ['power'], tags: ['pdu'] },
            groupBy: 'hall',
            aggregate: 'sum',
            live: true,
          },
        ],
        {
          fieldConfig: {
            defaults: {
              unit: 'kwatt',
              decimals: 0,
              color: fixedColor('blue'),
            },
            overrides: [],
          },
          options: VALUE_STAT,
        },
      ),
      panel(
        'stat',
        'Racks running jobs',
        { x: 19, y: 0, w: 5, h: 5 },
        [
          {
            refId: 'A',
            queryType: 'latest',
            selector: { hall: ['$hall'], tags: ['job'], quantity: ['state'] },
            groupBy: 'hall',
            aggregate: 'sum',
            live: true,
          },
        ],
        {
          fieldConfig: {
            defaults: { unit: 'none', decimals: 0, color: fixedColor('purple') },
            overrides: [],
          },
          options: VALUE_STAT,
        },
      ),
      panel(
        'timeseries',
        'IT load vs cooling response',
        { x: 14, y: 5, w: 10, h: 7 },
        [
          {
            refId: 'A',
            queryType: 'timeseries',
            selector: { hall: ['$hall'], quantity: ['power'], tags: ['pdu'] },
            groupBy: 'hall',
            aggregate: 'sum',
            alias: 'IT load',
            live: true,
          },
          {
            refId: 'B',
            queryType: 'timeseries',
            selector: { hall: ['$hall'], quantity: ['speed'], tags: ['fan'] },
            groupBy: 'hall',
            aggregate: 'avg',
            alias: 'CRAH fan speed',
            live: true,
          },
          {
            refId: 'C',
            queryType: 'timeseries',
            selector: { hall: ['$hall'], quantity: ['position'], tags: ['valve'] },
            groupBy: 'hall',
            aggregate: 'avg',
            alias: 'Chilled-water valve',
            live: true,
          },
        ],
        {
          fieldConfig: {
            defaults: { custom: { lineWidth: 3, fillOpacity: 10, showPoints: 'never' } },
            overrides: ['B', 'C'].map((refId) => ({
              matcher: { id: 'byFrameRefID', options: refId },
              properties: [
                { id: 'unit', value: 'percent' },
                { id: 'min', value: 0 },
                { id: 'max', value: 100 },
                { id: 'custom.axisPlacement', value: 'right' },
              ],
            })),
          },
          options: {
            legend: { showLegend: true, displayMode: 'list', placement: 'bottom', calcs: ['lastNotNull'] },
            tooltip: { mode: 'multi', sort: 'none' },
          },
        },
      ),
      // what is about to go wrong: asset, diagnosis and lead time are all in the title
      panel(
        'table',
        'Open predictions',
        { x: 14, y: 12, w: 10, h: 6 },
        [{ refId: 'A', queryType: 'events', types: ['prediction'], hall: ['$hall'], open: true, limit: 20 }],
        {
          fieldConfig: {
            defaults: { custom: { align: 'auto' } },
            overrides: [
              colouredColumn('severity'),
              ...['time', 'timeEnd', 'text', 'tags', 'type', 'hall', 'rack', 'source', 'id'].map((name) => ({
                matcher: { id: 'byName', options: name },
                properties: [{ id: 'custom.hidden', value: true }],
              })),
            ],
          },
          options: { showHeader: false, cellHeight: 'md', sortBy: [{ displayName: 'severity', desc: false }] },
        },
      ),
      panel('table', 'Connectors', { x: 0, y: 18, w: 8, h: 9 }, [{ refId: 'A', queryType: 'sources' }], {
        fieldConfig: {
          defaults: { custom: { align: 'auto' } },
          overrides: [
            colouredColumn('state'),
            ...[
              'connector',
              'lastSuccess',
              'lastSampleAt',
              'lastErrorAt',
              'consecutiveFailures',
              'failures',
              'samples',
              'rebuilds',
            ].map((name) => ({
              matcher: { id: 'byName', options: name },
              properties: [{ id: 'custom.hidden', value: true }],
            })),
          ],
        },
        options: { showHeader: true, cellHeight: 'lg' },
      }),
      panel(
        'table',
        'Running jobs & open alarms',
        { x: 8, y: 18, w: 6, h: 9 },
        [{ refId: 'A', queryType: 'events', types: ['job', 'alarm'], hall: ['$hall'], open: true, limit: 50 }],
        {
          fieldConfig: {
            defaults: { custom: { align: 'auto' } },
            overrides: [
              colouredColumn('severity'),
              // severity tells a job (info) from an alarm; the type column would not fit beside the automation panel
              ...['timeEnd', 'text', 'tags', 'type', 'hall', 'source', 'id'].map((name) => ({
                matcher: { id: 'byName', options: name },
                properties: [{ id: 'custom.hidden', value: true }],
              })),
            ],
          },
          options: { showHeader: true, cellHeight: 'lg', sortBy: [{ displayName: 'time', desc: true }] },
        },
      ),
      // the wall's anonymous viewers see modes, pending proposals and whether automation is stopped; an Editor
      // signed in at the wall gets the emergency stop here
      panel(AUTOMATION_PANEL, 'Automation', { x: 14, y: 18, w: 6, h: 9 }, [], {
        options: {
          datasource: PLENUM.uid,
          pollS: 5,
          showRules: true,
          showProposals: true,
          showLeases: false,
          showActions: false,
          layout: 'stacked',
          density: 'compact',
          controls: 'role',
        },
      }),
      panel(
        'stat',
        'Hottest inlet',
        { x: 20, y: 18, w: 4, h: 9 },
        [
          {
            refId: 'A',
            queryType: 'latest',
            selector: { hall: ['$hall'], quantity: ['temperature'], tags: ['inlet'] },
            groupBy: 'hall',
            aggregate: 'max',
            live: true,
          },
        ],
        {
          fieldConfig: {
            defaults: { unit: 'celsius', decimals: 1, thresholds: INLET_THRESHOLDS, color: BY_THRESHOLDS },
            overrides: [],
          },
          options: VALUE_STAT,
        },
      ),
    ],
  });
}
