import type { Dashboard } from '@grafana/schema';
import { dashboard, panel, row, type Target } from './build';
import {
  BY_THRESHOLDS,
  INLET_THRESHOLDS,
  VALUE_STAT,
  colouredColumn,
  fixedColor,
  siteAndHall,
  rackVariable,
  thresholds,
} from './common';

const inRack = { hall: ['$hall'], rack: ['$rack'] };

const series = (refId: string, selector: Record<string, string[]>, alias: string): Target => ({
  refId,
  queryType: 'timeseries',
  selector: { ...inRack, ...selector },
  alias,
});

/** Every point of one rack, IT beside OT: GPUs and jobs on the left, air and power on the right. */
export function rack(): Dashboard {
  const stat = (title: string, x: number, target: Target, defaults: Record<string, unknown>) =>
    panel('stat', title, { x, y: 1, w: 6, h: 4 }, [target], {
      fieldConfig: { defaults, overrides: [] },
      options: VALUE_STAT,
    });
  return dashboard({
    uid: 'plenum-rack',
    title: 'Plenum — Rack',
    description: 'One rack: GPU power, utilisation and temperature beside inlet/exhaust air and PDU power.',
    tags: ['rack'],
    from: 'now-3h',
    variables: [...siteAndHall(), rackVariable()],
    panels: [
      row('$rack now', 0),
      stat(
        'Inlet',
        0,
        { refId: 'A', queryType: 'latest', selector: { ...inRack, tags: ['inlet'] }, live: true },
        { unit: 'celsius', decimals: 1, thresholds: INLET_THRESHOLDS, color: BY_THRESHOLDS },
      ),
      stat(
        'PDU power',
        6,
        { refId: 'A', queryType: 'latest', selector: { ...inRack, tags: ['pdu'], quantity: ['power'] }, live: true },
        { unit: 'kwatt', decimals: 1, color: fixedColor('blue') },
      ),
      stat(
        'GPU utilisation',
        12,
        { refId: 'A', queryType: 'latest', selector: { ...inRack, tags: ['gpu', 'util'] }, live: true },
        { unit: 'percent', decimals: 0, color: fixedColor('purple') },
      ),
      stat(
        'Hottest GPU',
        18,
        {
          refId: 'A',
          queryType: 'latest',
          selector: { ...inRack, tags: ['gpu'], quantity: ['temperature'] },
          live: true,
        },
        {
          unit: 'celsius',
          decimals: 0,
          color: BY_THRESHOLDS,
          thresholds: thresholds(['green', null], ['orange', 80], ['red', 88]),
        },
      ),
      row('IT (GPUs and jobs) beside OT (air and power)', 5),
      panel(
        'timeseries',
        'GPU power and expected job power',
        { x: 0, y: 6, w: 12, h: 9 },
        [
          series('A', { tags: ['gpu'], quantity: ['power'] }, 'GPU power'),
          series('B', { tags: ['job', 'power'] }, 'expected job power'),
        ],
        { fieldConfig: { defaults: { unit: 'kwatt' }, overrides: [] } },
      ),
      panel(
        'timeseries',
        'GPU utilisation and hottest GPU',
        { x: 0, y: 15, w: 12, h: 9 },
        [
          series('A', { tags: ['gpu', 'util'] }, 'utilisation'),
          series('B', { tags: ['gpu'], quantity: ['temperature'] }, 'hottest GPU'),
        ],
        {
          fieldConfig: {
            defaults: { unit: 'percent' },
            overrides: [
              {
                matcher: { id: 'byFrameRefID', options: 'B' },
                properties: [
                  { id: 'unit', value: 'celsius' },
                  { id: 'custom.axisPlacement', value: 'right' },
                ],
              },
            ],
          },
        },
      ),
      panel(
        'timeseries',
        'Inlet and exhaust air',
        { x: 12, y: 6, w: 12, h: 9 },
        [series('A', { tags: ['air', 'temp'] }, '{{name}}')],
        {
          fieldConfig: {
            defaults: { unit: 'celsius', thresholds: INLET_THRESHOLDS, custom: { thresholdsStyle: { mode: 'off' } } },
            overrides: [],
          },
        },
      ),
      panel(
        'timeseries',
        'PDU power, current and voltage',
        { x: 12, y: 15, w: 12, h: 9 },
        [
          series('A', { tags: ['pdu'], quantity: ['power'] }, 'power'),
          series('B', { tags: ['pdu'], quantity: ['current'] }, 'current'),
        ],
        {
          fieldConfig: {
            defaults: { unit: 'kwatt' },
            overrides: [
              {
                matcher: { id: 'byFrameRefID', options: 'B' },
                properties: [
                  { id: 'unit', value: 'amp' },
                  { id: 'custom.axisPlacement', value: 'right' },
                ],
              },
            ],
          },
        },
      ),
      row('Every point of $rack', 24),
      panel(
        'table',
        'Latest value of every point',
        { x: 0, y: 25, w: 24, h: 12 },
        [{ refId: 'A', queryType: 'latest', selector: inRack }],
        {
          fieldConfig: {
            defaults: {},
            overrides: [
              colouredColumn('quality'),
              ...['point', 'hall', 'row', 'rack', 'rawStatus'].map((name) => ({
                matcher: { id: 'byName', options: name },
                properties: [{ id: 'custom.hidden', value: true }],
              })),
            ],
          },
          options: { showHeader: true },
        },
      ),
    ],
  });
}
