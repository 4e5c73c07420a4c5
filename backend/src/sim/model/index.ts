/** The simulated AI data hall's model: pure, deterministic, no I/O. See ../README.md. */
export { HallModel, type HallModelOptions, type PduReading, type GpuHostReading } from './hall-model';
export type { Reading } from './readings';
export type { SignalInfo } from './signals';
export { defaultSite, buildLayout, type HallLayout, type RackLayout, type DefaultSiteOptions } from './layout';
export { DEFAULT_PARAMS, SETPOINT_RANGES, type SimParams } from './params';
export type { Job, JobInput } from './jobs';
export type { JobEvent } from './job-book';
export {
  FAULT_TYPES,
  FAULT_TYPE_NAMES,
  type FaultInput,
  type FaultRecord,
  type FaultType,
  type GroundTruthEntry,
} from './faults';
export { SimInputError, SimNotFoundError, SimConfigError } from './errors';
