/**
 * The figures of a scenario report, all from the twin's ground truth (never from what Plenum measured: scores
 * of automation and prediction must not depend on the sensors they read). `checks:` in a scenario name them.
 */

export interface MetricSpec {
  unit: string;
  description: string;
}

export const METRICS = {
  maxInletC: { unit: '°C', description: 'highest true rack inlet temperature of the run' },
  minutesAbove27C: {
    unit: 'min',
    description: 'simulated minutes in which at least one rack inlet was above 27 °C (ASHRAE recommended limit)',
  },
  rackMinutesAbove27C: { unit: 'rack·min', description: 'sum over racks of the minutes each inlet was above 27 °C' },
  minutesAbove32C: {
    unit: 'min',
    description: 'simulated minutes in which at least one rack inlet was above 32 °C (ASHRAE A1 allowable limit)',
  },
  rackMinutesAbove32C: { unit: 'rack·min', description: 'sum over racks of the minutes each inlet was above 32 °C' },
  minInletC: { unit: '°C', description: 'lowest true rack inlet temperature (below 18 °C wastes cooling energy)' },
  rateOfChangeViolations: {
    unit: 'rack·min',
    description: 'rack-minutes in which the inlet had changed by more than 5 °C over the preceding 15 min (ASHRAE)',
  },
  maxGpuC: { unit: '°C', description: 'hottest GPU die of the run' },
  gpuThrottleRackMin: {
    unit: 'rack·min',
    description: 'rack-minutes with GPUs in thermal slowdown (die at the throttle temperature)',
  },
  thermalGpuHours: { unit: 'GPU·h', description: 'GPU-hours of work lost to thermal slowdown' },
  cappedGpuHours: { unit: 'GPU·h', description: 'GPU-hours of work lost to rack power caps' },
  maxChwSupplyC: { unit: '°C', description: 'highest chilled-water supply temperature' },
  itEnergyKwh: { unit: 'kWh', description: 'IT energy of the run (all rack PDUs)' },
  coolingEnergyKwh: {
    unit: 'kWh',
    description: 'cooling energy of the run: CRAH fans (∝ speed³), chillers (load / COP), chilled-water and CDU pumps',
  },
  coolingPerItEnergy: { unit: '', description: 'cooling energy per unit of IT energy (the cooling part of PUE − 1)' },
} as const satisfies Record<string, MetricSpec>;

export type MetricName = keyof typeof METRICS;
export const METRIC_NAMES = Object.keys(METRICS) as [MetricName, ...MetricName[]];
export type Figures = Record<MetricName, number>;
