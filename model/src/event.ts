import type { Location } from './topology';

/** What happened. `job` covers AI job start/stop; `automation` a guarded action; `connector` a state change. */
export type EventType = 'job' | 'automation' | 'alarm' | 'prediction' | 'connector' | 'fault' | 'note';

export const EVENT_TYPES: readonly EventType[] = [
  'job',
  'automation',
  'alarm',
  'prediction',
  'connector',
  'fault',
  'note',
];

export type Severity = 'info' | 'warning' | 'critical';

export const SEVERITIES: readonly Severity[] = ['info', 'warning', 'critical'];

export interface PlenumEvent {
  /** assigned by the store; monotonically increasing */
  id: number;
  /** start, Unix epoch ms */
  time: number;
  /** end for events with a duration (a job, an alarm that cleared), Unix epoch ms */
  timeEnd?: number;
  type: EventType;
  severity: Severity;
  title: string;
  text?: string;
  location?: Partial<Location>;
  pointId?: string;
  tags: string[];
  /** who reported it: a connector name, `api`, `automation`, … */
  source: string;
  /** free-form details kept as given (job id, user, GPU count, …) */
  data?: Record<string, unknown>;
}

/** What a client posts; the store assigns id and fills defaults. */
export type NewEvent = Omit<PlenumEvent, 'id' | 'severity' | 'tags' | 'source'> &
  Partial<Pick<PlenumEvent, 'severity' | 'tags' | 'source'>>;
