import type { Dashboard } from '@grafana/schema';
import { dashboard, panel, predictionAnnotation } from './build';
import { colouredColumn, siteAndHall, hiddenColumns, renamedColumn, thresholds } from './common';

/** the ASHRAE TC 9.9 recommended upper inlet temperature the forecasts run to, °C */
const INLET_LIMIT = 27;

/**
 * Predictions: what is about to go wrong, and how sure the detectors are. The open predictions (asset, diagnosis
 * and lead time in the title, evidence beside it), the rack inlets forecast soonest to 27 °C with their 90 %
 * bands, each asset's anomaly score and the detectors still learning or not to be trusted. The range runs an hour
 * past now, so the forecasts have room to be drawn.
 */
export function predictions(): Dashboard {
  return dashboard({
    uid: 'plenum-predictions',
    title: 'Plenum — Predictions',
    description:
      'Open predictions with their lead times, rack inlet forecasts to 27 °C with 90 % bands, anomaly scores and detector states.',
    tags: ['predictions'],
    to: 'now+1h',
    variables: [...siteAndHall()],
    moreAnnotations: [predictionAnnotation()],
    panels: [
      panel(
        'table',
        'Open predictions',
        { x: 0, y: 0, w: 15, h: 9 },
        [{ refId: 'A', queryType: 'events', types: ['prediction'], hall: ['$hall'], open: true, limit: 100 }],
        {
          description:
            'One row per asset and diagnosis, updated while it lasts. The title reads asset: diagnosis — when the limit is reached (with its interval); evidence says why.',
          fieldConfig: {
            defaults: { custom: { align: 'auto', cellOptions: { type: 'auto', wrapText: true } } },
            overrides: [
              colouredColumn('severity'),
              renamedColumn('time', 'since'),
              renamedColumn('title', 'prediction'),
              renamedColumn('text', 'evidence'),
              ...hiddenColumns('timeEnd', 'tags', 'type', 'hall', 'source', 'id'),
            ],
          },
          options: { showHeader: true, cellHeight: 'md', sortBy: [{ displayName: 'since', desc: true }] },
        },
      ),
      panel(
        'bargauge',
        'Anomaly score by asset',
        { x: 15, y: 0, w: 9, h: 9 },
        [{ refId: 'A', queryType: 'predictions', output: 'scores' }],
        {
          description: 'Each asset’s largest anomaly score over its detectors: 1 is the alarm threshold.',
          fieldConfig: {
            defaults: {
              decimals: 2,
              min: 0,
              max: 2,
              thresholds: thresholds(['green', null], ['orange', 0.7], ['red', 1]),
              color: { mode: 'thresholds' as never },
            },
            overrides: [],
          },
          options: {
            // one bar per row (asset), of the score column only, not the count of detectors learning
            reduceOptions: { values: true, calcs: [], fields: '/score/' },
            orientation: 'horizontal',
            displayMode: 'gradient',
            valueMode: 'color',
            showUnfilled: true,
            namePlacement: 'left',
            sizing: 'auto',
            minVizHeight: 16,
            maxVizHeight: 24,
          },
        },
      ),
      panel(
        'timeseries',
        `Rack inlets soonest to ${INLET_LIMIT} °C — forecast with 90 % band`,
        { x: 0, y: 9, w: 16, h: 12 },
        [
          {
            refId: 'A',
            queryType: 'forecast',
            selector: { hall: ['$hall'], quantity: ['temperature'], tags: ['inlet'] },
            limit: INLET_LIMIT,
            top: 5,
            alias: '{{rack}} inlet',
          },
        ],
        {
          description:
            'The five rack inlets forecast to reach 27 °C soonest: history, dashed straight-line forecast over the next hour and its shaded 90 % band (the data source draws the band: upper fills to lower).',
          fieldConfig: {
            defaults: {
              unit: 'celsius',
              decimals: 1,
              // the limit as a dashed line
              thresholds: thresholds(['transparent', null], ['red', INLET_LIMIT]),
              custom: { lineWidth: 2, showPoints: 'never', spanNulls: false, thresholdsStyle: { mode: 'dashed' } },
            },
            overrides: [],
          },
          options: {
            legend: { showLegend: true, displayMode: 'list', placement: 'right', calcs: [] },
            tooltip: { mode: 'multi', sort: 'desc' },
          },
        },
      ),
      panel(
        'table',
        'Detectors learning, degraded or in alarm',
        { x: 16, y: 9, w: 8, h: 12 },
        [{ refId: 'A', queryType: 'predictions', output: 'detectors' }],
        {
          description:
            'Detectors not in their normal state: learning (still fitting its model of the healthy unit: evaluations left), degraded (inputs bad or missing: reason) or in alarm.',
          fieldConfig: {
            defaults: { custom: { align: 'auto' } },
            overrides: [colouredColumn('state')],
          },
          options: { showHeader: true, cellHeight: 'sm', sortBy: [{ displayName: 'state', desc: false }] },
          transformations: [
            {
              id: 'filterByValue',
              options: {
                type: 'exclude',
                match: 'any',
                filters: [{ fieldName: 'state', config: { id: 'equal', options: { value: 'normal' } } }],
              },
            },
          ],
        },
      ),
    ],
  });
}
