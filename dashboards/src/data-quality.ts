import type { Dashboard } from '@grafana/schema';
import { dashboard, panel } from './build';
import { BY_THRESHOLDS, WALL_STAT, colouredColumn, fixedColor, siteAndHall, thresholds } from './common';

const hide = (names: string[]) =>
  names.map((name) => ({
    matcher: { id: 'byName', options: name },
    properties: [{ id: 'custom.hidden', value: true }],
  }));

/** Is the data trustworthy? Connector states and errors, ingest rates, and the points that need attention. */
export function dataQuality(): Dashboard {
  return dashboard({
    uid: 'plenum-data-quality',
    title: 'Plenum — Data quality',
    description: 'Connector states, ingest rates, and stale, bad-quality or missing points.',
    tags: ['data-quality', 'connectors'],
    refresh: '30s',
    variables: [...siteAndHall()],
    panels: [
      panel('table', 'Connectors', { x: 0, y: 0, w: 16, h: 8 }, [{ refId: 'A', queryType: 'sources' }], {
        fieldConfig: { defaults: {}, overrides: [colouredColumn('state')] },
        options: { showHeader: true },
      }),
      // per-source rates are the table's last column; the wall reads the total
      panel('stat', 'Ingest rate, all sources', { x: 16, y: 0, w: 8, h: 8 }, [{ refId: 'A', queryType: 'sources' }], {
        fieldConfig: { defaults: { unit: 'samples/s', decimals: 1, color: fixedColor('green') }, overrides: [] },
        options: { ...WALL_STAT, reduceOptions: { calcs: ['sum'], fields: '/^samplesPerSecond$/', values: false } },
      }),
      panel(
        'stat',
        'Points needing attention',
        { x: 0, y: 8, w: 6, h: 10 },
        [{ refId: 'A', queryType: 'latest', selector: { hall: ['$hall'] }, problemsOnly: true }],
        {
          fieldConfig: {
            defaults: {
              unit: 'none',
              // no problem rows is good news, not "No data"
              noValue: '0',
              color: BY_THRESHOLDS,
              thresholds: thresholds(['green', null], ['orange', 1], ['red', 20]),
            },
            overrides: [],
          },
          options: { ...WALL_STAT, reduceOptions: { calcs: ['count'], fields: '/^point$/', values: false } },
        },
      ),
      panel(
        'table',
        'Bad, uncertain, missing or stale points — oldest first',
        { x: 6, y: 8, w: 18, h: 10 },
        [{ refId: 'A', queryType: 'latest', selector: { hall: ['$hall'] }, problemsOnly: true }],
        {
          fieldConfig: {
            defaults: {},
            overrides: [colouredColumn('problem'), ...hide(['point', 'hall', 'rawStatus'])],
          },
          options: { showHeader: true },
        },
      ),
      panel(
        'table',
        'Recent events',
        { x: 0, y: 18, w: 24, h: 8 },
        [{ refId: 'A', queryType: 'events', hall: ['$hall'], limit: 200 }],
        {
          fieldConfig: { defaults: {}, overrides: [colouredColumn('severity'), ...hide(['tags', 'id', 'hall'])] },
          options: { showHeader: true, sortBy: [{ displayName: 'time', desc: true }] },
        },
      ),
    ],
  });
}
