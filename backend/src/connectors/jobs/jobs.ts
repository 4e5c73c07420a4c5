import type { SampleSink, SourceInstance, SourcePoint, SubscribedConnector } from '../types';
import type { JobTransition } from './payload';

/** What a jobs point reports per rack; chosen by the point's `address`. */
export const JOB_SIGNALS = ['active', 'expected_power', 'gpus'] as const;
export type JobSignal = (typeof JOB_SIGNALS)[number];

export interface JobsConnector extends SubscribedConnector {
  /** Turns one job transition into samples for the racks it names. Resolves once they are durable. */
  accept(job: JobTransition, time: number): Promise<void>;
}

/**
 * Job webhooks as samples, so rules and panels can use them like any measurement: per rack, whether a job runs
 * (`active`, boolean), the power the job expects there (`expected_power`, kW: the job's expected kW split evenly
 * over its racks) and its GPUs (`gpus`). Values are set at the job's start and back to false/0 at its end. The
 * webhook itself arrives on `POST /api/events`; this connector only has the sink to write to.
 */
export function createJobsConnector(source: SourceInstance<Record<string, never>>): JobsConnector {
  for (const p of source.points) {
    if (!(JOB_SIGNALS as readonly string[]).includes(p.source.address)) {
      throw new Error(
        `point "${p.id}" in source "${source.name}": address "${p.source.address}" is not a job signal; expected one of ${JOB_SIGNALS.join(', ')}`,
      );
    }
    if (!p.location.rack) throw new Error(`point "${p.id}" in source "${source.name}": job points belong to a rack`);
  }
  let sink: SampleSink | undefined;
  const value = (p: SourcePoint, job: JobTransition, racks: number): number | boolean => {
    const running = job.phase === 'start';
    const data = job.event.data as { expectedKw?: number; gpus?: number };
    switch (p.source.address as JobSignal) {
      case 'active':
        return running;
      case 'expected_power':
        return running && data.expectedKw !== undefined ? data.expectedKw / racks : 0;
      case 'gpus':
        return running && data.gpus !== undefined ? Math.round(data.gpus / racks) : 0;
    }
  };
  return {
    mode: 'subscribe',
    async start(s) {
      sink = s;
    },
    async stop() {
      sink = undefined;
    },
    async accept(job, time) {
      if (!sink) return;
      const racks = (job.event.data as { racks?: string[] }).racks ?? [];
      const hall = job.event.location?.hall;
      const points = source.points.filter(
        (p) => racks.includes(p.location.rack!) && (hall === undefined || p.location.hall === hall),
      );
      if (!points.length) return;
      await sink(
        points.map((p) => ({ pointId: p.id, ts: time, value: value(p, job, racks.length), quality: 'good' as const })),
      );
    },
  };
}
