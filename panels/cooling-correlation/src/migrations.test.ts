import type { PanelModel } from '@grafana/data';
import { migrateOptions, migrationHandler } from './migrations';
import { DEFAULT_OPTIONS, type CorrelationOptions } from './types';

const panel = (options: unknown): PanelModel<Partial<CorrelationOptions>> =>
  ({ id: 1, type: 'plenum-coolingcorrelation-panel', options, fieldConfig: { defaults: {}, overrides: [] } }) as never;

describe('migrations', () => {
  it('a new panel gets every default', () => {
    expect(migrationHandler(panel({}))).toEqual(DEFAULT_OPTIONS);
    expect(migrationHandler(panel(undefined))).toEqual(DEFAULT_OPTIONS);
  });

  it('the scaffold’s options are dropped for the defaults', () => {
    expect(migrationHandler(panel({ text: 'Default value', showSeriesCount: true, seriesCountSize: 'md' }))).toEqual(
      DEFAULT_OPTIONS
    );
  });

  it('0.1.0 options round-trip unchanged', () => {
    const saved: CorrelationOptions = {
      loadFields: '/PDU power/',
      responseFields: 'crah1 return air temperature',
      loadCombine: 'sum',
      maxLagS: 300,
      resolutionS: 5,
      maxGapS: 60,
      lagThresholdS: 120,
      windowS: 1800,
      showEvents: false,
      eventFilter: 'job',
      layout: 'row',
      showSummary: true,
      summarySize: 'wall',
      primaryResponse: 'crah1 return air temperature',
    };
    expect(migrateOptions({ ...saved })).toEqual(saved);
  });

  it('hand-edited values that cannot work fall back to their defaults; unknown keys go', () => {
    const migrated = migrateOptions({
      maxLagS: 0,
      resolutionS: -5,
      lagThresholdS: '120',
      layout: 'grid',
      summarySize: 'wall',
      windowS: Infinity,
      legacy: 1,
    });
    expect(migrated).toEqual({ ...DEFAULT_OPTIONS, summarySize: 'wall' });
    expect(migrated).not.toHaveProperty('legacy');
  });
});
