import { PanelModel } from '@grafana/data';
import { migrateOptions } from './migrations';
import { DEFAULT_OPTIONS } from './types';

const panel = (options: unknown, pluginVersion?: string) =>
  ({
    id: 1,
    type: 'plenum-rackheatmap-panel',
    options,
    fieldConfig: { defaults: {}, overrides: [] },
    pluginVersion,
  }) as PanelModel;

describe('migrateOptions', () => {
  it('replaces the 0.1.0 scaffold’s options with the defaults', () => {
    expect(
      migrateOptions(
        panel({ text: 'Default value of text input option', showSeriesCount: false, seriesCountSize: 'sm' }, '0.1.0')
      )
    ).toEqual(DEFAULT_OPTIONS);
  });

  it('completes partial groups from the defaults and keeps what was saved', () => {
    const migrated = migrateOptions(panel({ color: { preset: 'ashrae' }, interaction: { variable: 'rack' } }));
    expect(migrated.color).toEqual({ ...DEFAULT_OPTIONS.color, preset: 'ashrae' });
    expect(migrated.interaction).toEqual({ ...DEFAULT_OPTIONS.interaction, variable: 'rack' });
    expect(migrated.fields).toEqual(DEFAULT_OPTIONS.fields);
  });

  it('drops unknown keys, wrong types and unknown enum values', () => {
    const migrated = migrateOptions(
      panel({ layout: { splitValues: 'yes', hall: 'h2', extra: 1 }, legend: { placement: 'top' }, color: 'ashrae' })
    );
    expect(migrated.layout).toEqual({ ...DEFAULT_OPTIONS.layout, hall: 'h2' });
    expect(migrated.legend.placement).toBe('bottom');
    expect(migrated.color).toEqual(DEFAULT_OPTIONS.color);
  });

  it('turns predictions on for panels saved before the option existed, and keeps a saved "off"', () => {
    const before = migrateOptions(panel({ color: { preset: 'ashrae', staleAfter: '2m' } }));
    expect(before.predictions).toEqual({ show: true });
    expect(migrateOptions(panel({ predictions: { show: false } })).predictions).toEqual({ show: false });
    expect(migrateOptions(panel({ predictions: { show: 'no' } })).predictions).toEqual(DEFAULT_OPTIONS.predictions);
  });

  it('reads a panel without options as a new one', () => {
    expect(migrateOptions(panel(undefined))).toEqual(DEFAULT_OPTIONS);
  });
});
