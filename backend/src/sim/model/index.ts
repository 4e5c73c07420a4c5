/** The simulated AI data hall's model: pure, deterministic, no I/O. See ../README.md. */
export {
  HallModel,
  type HallModelOptions,
  type PduReading,
  type GpuHostReading,
  type LostGpuHours,
  type HallTruth,
} from './hall-model';
export type { EnergyReport, ComponentEnergy } from './energy';
export type { GroundTruthEntry, FaultTruthEntry, WriteTruthEntry } from './ground-truth';
export type { ValveControl } from './hall-state';
export type { Reading } from './readings';
export type { SignalInfo } from './signals';
export type { SupervisorSnapshot } from './supervisor';
export {
  defaultSite,
  buildLayout,
  DEFAULT_PLANT_ID,
  DEFAULT_BMS_ID,
  type HallLayout,
  type RackLayout,
  type DefaultSiteOptions,
} from './layout';
export { DEFAULT_PARAMS, SETPOINT_RANGES, WRITABLE_RANGES, rackPowerLimitRange, type SimParams } from './params';
export type { Job, JobInput } from './jobs';
export type { JobEvent } from './job-book';
export { FAULT_TYPES, FAULT_TYPE_NAMES, type FaultInput, type FaultRecord, type FaultType } from './faults';
export { SimInputError, SimNotFoundError, SimConfigError } from './errors';
