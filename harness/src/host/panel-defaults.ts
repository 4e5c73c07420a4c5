import {
  fieldColorModeRegistry,
  FieldColorModeId,
  FieldConfigProperty,
  type FieldColorConfigSettings,
  type FieldConfigOptionsRegistry,
  type FieldConfigSource,
  type PanelPlugin,
  type ThresholdsConfig,
} from '@grafana/data';
import { isArray, isObject, mergeWith, unset } from 'lodash';

/** Arrays in saved options replace the defaults' arrays instead of merging index by index. */
function replaceArrays(_target: unknown, source: unknown): unknown {
  return isArray(source) ? source : undefined;
}

/**
 * Grafana's `getPanelOptionsWithDefaults` (dashboard/state/getPanelOptionsWithDefaults.ts): options deep-merged
 * over the plugin's defaults; field config defaults merged over the plugin's (custom defaults, thresholds green/red
 * at 80, …) with properties unknown to the plugin's registry removed, overrides of unknown properties dropped, a
 * saved `null` first threshold read as -Infinity, and, for a new panel, the colour mode the plugin prefers.
 */
export function optionsWithDefaults(
  plugin: PanelPlugin,
  options: Record<string, unknown> | undefined,
  fieldConfig: Partial<FieldConfigSource> | undefined,
  isNewPanel: boolean,
): { options: Record<string, unknown>; fieldConfig: FieldConfigSource } {
  const merged = mergeWith({}, plugin.defaults, options ?? {}, replaceArrays) as Record<string, unknown>;
  const withDefaults = fieldConfigWithDefaults(plugin, fieldConfig);
  return { options: merged, fieldConfig: adaptFieldColorMode(plugin, withDefaults, isNewPanel) };
}

function fieldConfigWithDefaults(
  plugin: PanelPlugin,
  saved: Partial<FieldConfigSource> | undefined,
): FieldConfigSource {
  const pluginDefaults = plugin.fieldConfigDefaults;
  const registry = plugin.fieldConfigRegistry;
  const result: FieldConfigSource = {
    defaults: mergeWith({}, pluginDefaults.defaults, saved?.defaults ?? {}, replaceArrays),
    overrides: structuredClone(saved?.overrides ?? []),
  };
  cleanProperties(result.defaults as Record<string, unknown>, '', registry);
  if (result.defaults.thresholds) fixThresholds(result.defaults.thresholds);
  result.overrides = result.overrides
    .map((override) => ({
      ...override,
      properties: override.properties.filter((prop) => registry.getIfExists(prop.id) !== undefined),
    }))
    .filter((override) => override.properties.length > 0);
  for (const override of result.overrides) {
    for (const prop of override.properties) {
      if (prop.id === 'thresholds' && prop.value) fixThresholds(prop.value as ThresholdsConfig);
    }
  }
  return result;
}

/** Removes properties the registry does not know (at any depth), keeping objects that hold a known one. */
function cleanProperties(
  obj: Record<string, unknown>,
  parentPath: string,
  registry: FieldConfigOptionsRegistry,
): boolean {
  let found = false;
  for (const name of Object.keys(obj)) {
    const value = obj[name];
    const path = `${parentPath}${name}`;
    if (registry.getIfExists(path)) {
      found = true;
      continue;
    }
    if (isArray(value) || !isObject(value)) {
      unset(obj, name);
    } else if (cleanProperties(value as Record<string, unknown>, `${path}.`, registry)) {
      found = true;
    } else {
      unset(obj, name);
    }
  }
  return found;
}

/** JSON has no -Infinity: a saved base threshold is `null`. */
function fixThresholds(thresholds: ThresholdsConfig): void {
  const first = thresholds.steps?.[0];
  if (first && (first.value === null || first.value === undefined)) first.value = -Infinity;
}

/** Grafana's `adaptFieldColorMode`, applied to new panels only. */
function adaptFieldColorMode(
  plugin: PanelPlugin,
  fieldConfig: FieldConfigSource,
  isNewPanel: boolean,
): FieldConfigSource {
  if (!isNewPanel) return fieldConfig;
  const color = plugin.fieldConfigRegistry.getIfExists(FieldConfigProperty.Color);
  const settings = color?.settings as FieldColorConfigSettings | undefined;
  if (!settings) return fieldConfig;
  const mode = fieldColorModeRegistry.getIfExists(fieldConfig.defaults.color?.mode);
  if (!settings.byValueSupport && (!mode || mode.isByValue)) {
    fieldConfig.defaults.color = { mode: FieldColorModeId.PaletteClassic };
  } else if (settings.byValueSupport && settings.preferThresholdsMode && mode?.id !== FieldColorModeId.Fixed) {
    if (!mode || !mode.isByValue) fieldConfig.defaults.color = { mode: FieldColorModeId.Thresholds };
  }
  return fieldConfig;
}
