import type { Dashboard } from '@grafana/schema';
import { AUTOMATION_PANEL, automationAnnotation, dashboard, panel, PLENUM } from './build';
import { siteAndHall } from './common';

/** Panel ids as `dashboard()` numbers them: in the order of `panels` below. */
const SETPOINTS_PANEL_ID = 2;

/**
 * Plenum's automation: the rules, proposals, leases, recent actions and the emergency stop (the automation panel,
 * controls for Editors), above what the automation moves — CRAH supply setpoints and fan minimums — against what it
 * protects, the rack inlets, with every automation event as an annotation on that chart.
 */
export function automation(): Dashboard {
  return dashboard({
    uid: 'plenum-automation',
    title: 'Plenum — Automation',
    description:
      'Rules with their modes, proposals to approve, leases, the audit trail and the emergency stop; the setpoints automation writes against the rack inlets.',
    tags: ['automation', 'cooling'],
    from: 'now-3h',
    refresh: '30s',
    variables: [...siteAndHall()],
    moreAnnotations: [automationAnnotation([SETPOINTS_PANEL_ID])],
    panels: [
      panel(AUTOMATION_PANEL, 'Automation', { x: 0, y: 0, w: 24, h: 14 }, [], {
        description:
          'Modes, Approve / Reject and the emergency stop for Editors and Admins (the data source’s operate route); Viewers see the state read-only.',
        options: { datasource: PLENUM.uid, pollS: 5, actionsLimit: 25, layout: 'auto', controls: 'role' },
      }),
      panel(
        'timeseries',
        'CRAH supply setpoints and fan minimums vs rack inlets — $hall',
        { x: 0, y: 14, w: 24, h: 12 },
        [
          {
            refId: 'SP',
            queryType: 'timeseries',
            selector: { hall: ['$hall'], tags: ['discharge', 'air', 'temp', 'sp'] },
            groupBy: 'asset',
            aggregate: 'avg',
            alias: '{{asset}} supply setpoint',
          },
          {
            refId: 'FAN',
            queryType: 'timeseries',
            selector: { hall: ['$hall'], tags: ['fan', 'speed', 'sp', 'min'] },
            groupBy: 'asset',
            aggregate: 'avg',
            alias: '{{asset}} fan minimum',
          },
          {
            refId: 'INMAX',
            queryType: 'timeseries',
            selector: { hall: ['$hall'], quantity: ['temperature'], tags: ['inlet'] },
            groupBy: 'hall',
            aggregate: 'max',
            alias: 'Hottest rack inlet',
          },
          {
            refId: 'INAVG',
            queryType: 'timeseries',
            selector: { hall: ['$hall'], quantity: ['temperature'], tags: ['inlet'] },
            groupBy: 'hall',
            aggregate: 'avg',
            alias: 'Mean rack inlet',
          },
        ],
        {
          description:
            'What automation writes (supply setpoints, fan minimums) and what it protects (rack inlets, ASHRAE recommended ≤ 27 °C); automation events are the orange annotations.',
          fieldConfig: {
            defaults: {
              unit: 'celsius',
              decimals: 1,
              custom: { lineWidth: 2, fillOpacity: 0, showPoints: 'never', lineInterpolation: 'stepAfter' },
            },
            overrides: [
              {
                matcher: { id: 'byFrameRefID', options: 'FAN' },
                properties: [
                  { id: 'unit', value: 'percent' },
                  { id: 'decimals', value: 0 },
                  { id: 'min', value: 0 },
                  { id: 'max', value: 100 },
                  { id: 'custom.axisPlacement', value: 'right' },
                  { id: 'custom.lineStyle', value: { fill: 'dash', dash: [10, 10] } },
                ],
              },
              // one °C axis for setpoints and inlets: Grafana gives fields with different min/max (the points' own
              // ranges) their own axes, so all of them get the same range, 14–32 °C (ASHRAE A1 allowable up to 32)
              ...['SP', 'INMAX', 'INAVG'].map((refId) => ({
                matcher: { id: 'byFrameRefID', options: refId },
                properties: [
                  { id: 'min', value: 14 },
                  { id: 'max', value: 32 },
                  ...(refId === 'SP'
                    ? []
                    : [
                        { id: 'custom.lineWidth', value: 3 },
                        { id: 'custom.lineInterpolation', value: 'smooth' },
                      ]),
                ],
              })),
            ],
          },
          options: {
            legend: { showLegend: true, displayMode: 'list', placement: 'bottom', calcs: ['lastNotNull'] },
            tooltip: { mode: 'multi', sort: 'none' },
          },
        },
      ),
    ],
  });
}
