import type { PanelModel } from '@grafana/data';
import { migrateOptions, migrationHandler } from './migrations';
import { DEFAULT_OPTIONS, type AutomationOptions } from './types';

const panel = (options: unknown): PanelModel<Partial<AutomationOptions>> =>
  ({ id: 1, type: 'plenum-automation-panel', options, fieldConfig: { defaults: {}, overrides: [] } }) as never;

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
    const saved: AutomationOptions = {
      datasource: 'plenum',
      pollS: 10,
      showRules: true,
      showProposals: false,
      showActions: true,
      showLeases: false,
      actionsLimit: 50,
      showDryRun: false,
      controls: 'never',
      layout: 'stacked',
      density: 'compact',
    };
    expect(migrateOptions({ ...saved })).toEqual(saved);
  });

  it('a data source reference becomes its uid', () => {
    expect(migrateOptions({ datasource: { type: 'plenum-itot-datasource', uid: 'plenum-b' } }).datasource).toBe(
      'plenum-b'
    );
    expect(migrateOptions({ datasource: { type: 'x' } }).datasource).toBe('');
  });

  it('hand-edited values that cannot work fall back or are clamped; unknown keys go', () => {
    const migrated = migrateOptions({
      pollS: 0.1,
      actionsLimit: 5000.4,
      controls: 'editors',
      layout: 'grid',
      density: 'tiny',
      showRules: 'yes',
      showDryRun: false,
      legacy: 1,
    });
    expect(migrated).toEqual({ ...DEFAULT_OPTIONS, pollS: 1, actionsLimit: 200, showDryRun: false });
    expect(migrated).not.toHaveProperty('legacy');
    expect(migrateOptions({ pollS: Infinity }).pollS).toBe(DEFAULT_OPTIONS.pollS);
  });
});
