import type { Dashboard } from '@grafana/schema';
import { CORRELATION_PANEL, dashboard, panel } from './build';
import { siteAndHall, rackVariable } from './common';

/**
 * How fast and how well cooling follows the workload: per hall (IT load → CRAH return air and fan speed) and
 * per rack (its power → its exhaust air), with job starts as annotations so each job's effect shows.
 */
export function workloadCooling(): Dashboard {
  return dashboard({
    uid: 'plenum-workload-cooling',
    title: 'Plenum — Workload vs cooling',
    description: 'Lag, correlation and cooling effort per IT kW between the AI workload and the cooling response.',
    tags: ['cooling', 'correlation'],
    from: 'now-6h',
    refresh: '1m',
    variables: [...siteAndHall(), rackVariable()],
    panels: [
      panel(
        CORRELATION_PANEL,
        'Hall $hall: IT load → CRAH return air',
        { x: 0, y: 0, w: 24, h: 13 },
        [
          {
            refId: 'load',
            queryType: 'timeseries',
            selector: { hall: ['$hall'], quantity: ['power'], tags: ['pdu'] },
            groupBy: 'hall',
            aggregate: 'sum',
            alias: 'IT load',
          },
          {
            refId: 'response',
            queryType: 'timeseries',
            selector: { hall: ['$hall'], quantity: ['temperature'], tags: ['return', 'air'] },
            groupBy: 'hall',
            aggregate: 'avg',
            alias: 'CRAH return air',
          },
        ],
        { options: { loadFields: '/IT load/', responseFields: '/return air/', lagThresholdS: 180 } },
      ),
      panel(
        CORRELATION_PANEL,
        'Rack $rack: power → exhaust air',
        { x: 0, y: 13, w: 24, h: 13 },
        [
          {
            refId: 'load',
            queryType: 'timeseries',
            selector: { hall: ['$hall'], rack: ['$rack'], quantity: ['power'], tags: ['pdu'] },
            alias: '$rack power',
          },
          {
            refId: 'response',
            queryType: 'timeseries',
            selector: { hall: ['$hall'], rack: ['$rack'], tags: ['exhaust'] },
            alias: '$rack exhaust',
          },
        ],
        { options: { loadFields: '/power/', responseFields: '/exhaust/', lagThresholdS: 300 } },
      ),
    ],
  });
}
