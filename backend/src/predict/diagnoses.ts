/**
 * The faults the detectors can name, with their severity and what an operator should do. The conditions are in
 * the spirit of NIST's APAR rules for air handlers and ASHRAE Guideline 36's fault-detection equations (supply
 * air off setpoint with the valve at a limit or not moving; airflow below what the fan speed should move; a
 * sensor that disagrees with its peers), applied to the signals a data hall has. detectors.ts raises them.
 */
import type { Severity } from '@plenum/model';

export type Diagnosis =
  | 'filter_clog'
  | 'fan_belt_wear'
  | 'fan_degradation'
  | 'valve_stuck'
  | 'crah_trip'
  | 'sensor_drift'
  | 'recirculation'
  | 'pump_failure'
  | 'pump_degradation'
  | 'chiller_trip'
  | 'chw_loss'
  | 'gpu_cooling'
  | 'meter_fault'
  | 'limit_forecast';

export interface DiagnosisInfo {
  severity: Severity;
  /** acute faults act in seconds (detection delay is their figure), slow ones over hours (lead time) */
  speed: 'acute' | 'slow';
  cause: string;
  action: string;
}

export const DIAGNOSES: Readonly<Record<Diagnosis, DiagnosisInfo>> = {
  filter_clog: {
    severity: 'warning',
    speed: 'slow',
    cause: 'filter loading up: less air at the same fan speed, filter ΔP above its clean curve',
    action:
      'replace the filter at the next maintenance window; until then keep the fan headroom (do not lower fan_min)',
  },
  fan_belt_wear: {
    severity: 'warning',
    speed: 'slow',
    cause: 'fan drive slipping or worn: less air at the same fan speed while the filter ΔP is normal',
    action: 'inspect belts and the fan drive; schedule the repair before the unit runs out of fan speed',
  },
  fan_degradation: {
    severity: 'warning',
    speed: 'slow',
    cause: 'fan cannot reach its command: it runs far below its aisle partner, which carries the pressure alone',
    action: 'inspect the fan modules and the drive (VFD alarms); the partner unit has no redundancy meanwhile',
  },
  valve_stuck: {
    severity: 'warning',
    speed: 'slow',
    cause: 'chilled-water valve not moving: supply air off its setpoint while the valve position stays fixed',
    action: 'check the actuator and its signal; stroke the valve by hand; the BMS loop cannot correct meanwhile',
  },
  crah_trip: {
    severity: 'critical',
    speed: 'acute',
    cause: 'unit stopped (trip): no airflow and no cooling from it; its aisle partner takes the load',
    action: 'reset or restart the unit (check motor protection and power); confirm the partner has fan headroom',
  },
  sensor_drift: {
    severity: 'warning',
    speed: 'slow',
    cause: 'the sensor disagrees with its peers and with the physics around it: the sensor, not the room',
    action: 'check or recalibrate the sensor; do not act on its reading (automation ignores it while this is open)',
  },
  recirculation: {
    severity: 'warning',
    speed: 'slow',
    cause: 'rack inlet above its aisle peers with its exhaust following: hot air is reaching the intake',
    action: 'check blanking panels, containment doors and brush strips at this rack; raise airflow to the aisle',
  },
  pump_failure: {
    severity: 'critical',
    speed: 'acute',
    cause: 'CDU coolant flow collapsed against the pump command: pump trip or a closed valve',
    action: 'start the standby pump / reset the CDU; GPUs will throttle within minutes without coolant flow',
  },
  pump_degradation: {
    severity: 'warning',
    speed: 'slow',
    cause: 'CDU flow falling at the same pump speed: impeller wear, bearings or a fouled strainer',
    action: 'check the strainer and the pump; plan the repair before the flow limits the GPUs',
  },
  chiller_trip: {
    severity: 'warning',
    speed: 'acute',
    cause: 'a chiller tripped; the sequencer starts a standby, chilled water warms until it runs',
    action: 'check the chiller alarm; confirm a standby started and the chilled-water supply recovers',
  },
  chw_loss: {
    severity: 'critical',
    speed: 'acute',
    cause: 'chilled water lost: plant flow collapsed or every chiller stopped',
    action: 'restore chilled water (pumps, chillers); shed or cap IT load if it does not return within minutes',
  },
  gpu_cooling: {
    severity: 'warning',
    speed: 'slow',
    cause: 'GPUs hotter than their power and the coolant explain: cold-plate contact, flow to this rack, or the sensor',
    action: 'check the rack manifold and quick disconnects; compare the per-GPU temperatures in the BMC',
  },
  meter_fault: {
    severity: 'info',
    speed: 'slow',
    cause: 'PDU current disagrees with its power and voltage: a metering fault',
    action: 'check the PDU meter (CT, firmware); billing and capacity figures from it are suspect',
  },
  limit_forecast: {
    severity: 'warning',
    speed: 'slow',
    cause: 'trend reaches the limit soon; no fault named',
    action: 'check the load on this rack and the cooling of its aisle',
  },
};

export const DIAGNOSIS_NAMES = Object.keys(DIAGNOSES) as Diagnosis[];
