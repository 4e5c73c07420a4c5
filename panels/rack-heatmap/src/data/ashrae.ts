import { ThresholdsConfig, ThresholdsMode } from '@grafana/data';

/**
 * ASHRAE TC 9.9 thermal guidelines, class A1 server inlet air: recommended 18–27 °C, allowable 15–32 °C.
 * Colours are Grafana's named colours, resolved by the theme like any threshold's.
 */
export const ASHRAE_BANDS: ReadonlyArray<{ fromC: number; color: string; name: string }> = [
  { fromC: -Infinity, color: 'blue', name: 'below allowable' },
  { fromC: 15, color: 'light-blue', name: 'allowable, cool' },
  { fromC: 18, color: 'green', name: 'recommended' },
  { fromC: 27, color: 'orange', name: 'allowable, warm' },
  { fromC: 32, color: 'red', name: 'above allowable' },
];

/** Band edges in the field's unit: Grafana's `fahrenheit` and `kelvin` are converted, anything else read as °C. */
function fromCelsius(c: number, unit: string | undefined): number {
  if (unit === 'fahrenheit') {
    return (c * 9) / 5 + 32;
  }
  if (unit === 'kelvin') {
    return c + 273.15;
  }
  return c;
}

export function ashraeThresholds(unit: string | undefined): ThresholdsConfig {
  return {
    mode: ThresholdsMode.Absolute,
    steps: ASHRAE_BANDS.map((b) => ({ value: fromCelsius(b.fromC, unit), color: b.color })),
  };
}
