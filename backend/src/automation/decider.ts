/**
 * What rules and controllers share: a decider looks at a view of the plant and returns a decision — writes it
 * wants, points it hands back, notifications — as a pure function of its inputs, the time and its own state,
 * so a decision can be replayed and tested (ARCHITECTURE.md, "Decisions are pure functions"). The engine applies
 * a decision according to the rule's mode; the guard judges every write.
 */
import type { Point, Rack } from '@plenum/model';
import type { SourceState } from '../connectors/runner';
import type { EffectiveLimits, InputSample } from './guard/verdict';

/** A job as the deciders see it (from job events: the webhook of a scheduler). */
export interface JobInfo {
  id: string;
  phase: 'submit' | 'start' | 'end';
  racks: string[];
  hall?: string;
  /** kW per rack the job expects */
  kwPerRack: number;
  /** Unix ms of the transition (run's clock) */
  time: number;
  /** Unix ms of the job's start: for a submit the start the scheduler announces, when it does */
  start?: number;
}

export interface DecisionView {
  now: number;
  latest(pointId: string): InputSample;
  /** points whose ids match the globs */
  select(ids: readonly string[]): Point[];
  /** racks of the site with their hall and row */
  racks(): Array<Rack & { hall: string; row: string }>;
  sourceState(source: string): { state: SourceState; since: number } | undefined;
  /** job transitions since this decider's last evaluation */
  jobs: readonly JobInfo[];
  /** jobs running now */
  openJobs: readonly JobInfo[];
  /** points this decider holds leases on */
  held: readonly string[];
  /** the write limits of a point (automation.points ∩ its own range), undefined when automation may not write it */
  limits(pointId: string): EffectiveLimits | undefined;
  /** open, annunciated predictions (predict/), none when prediction is off */
  predictions?: readonly PredictionInfo[];
}

/** What a rule sees of an open prediction. */
export interface PredictionInfo {
  asset: string;
  diagnosis: string;
  severity: 'info' | 'warning' | 'critical';
  title: string;
  /** minutes to the limit (mid estimate), when one is forecast */
  leadMin?: number;
  /** the point that reaches the limit first, or the sensor at fault */
  pointId?: string;
}

/** A write a decider wants; the engine adds the actor and the priority. */
export interface WantedWrite {
  pointId: string;
  value: number;
  reason: string;
  inputs: InputSample[];
}

export interface Notification {
  kind: 'event' | 'webhook' | 'scheduler' | 'power';
  /** event title, or the webhook's body */
  title?: string;
  severity?: 'info' | 'warning' | 'critical';
  body?: Record<string, unknown>;
  /** for webhooks: the rule's action index it came from */
  action?: number;
}

export interface Decision {
  /** the condition holds (a threshold is active, a job needs cooling) */
  active: boolean;
  writes: WantedWrite[];
  /** held points to hand back to the BMS */
  release: string[];
  notify: Notification[];
  /** one line for the trace and the panel */
  summary: string;
  /** inputs the decision was based on, for the trace */
  inputs: InputSample[];
}

export const IDLE: Decision = { active: false, writes: [], release: [], notify: [], summary: 'idle', inputs: [] };

export interface Decider {
  decide(view: DecisionView): Decision;
}
