import type { PlenumEvent } from '@plenum/model';
import type { SampleSink, SourceInstance, SourcePoint, SubscribedConnector } from '../types';
import type { JobTransition } from './payload';

/** What a jobs point reports per rack; chosen by the point's `address`. */
export const JOB_SIGNALS = ['active', 'expected_power', 'gpus'] as const;
export type JobSignal = (typeof JOB_SIGNALS)[number];

export interface JobsConnector extends SubscribedConnector {
  /** Turns one job transition into samples for the racks it names. Resolves once they are durable. */
  accept(job: JobTransition, time: number): Promise<void>;
  /**
   * Publishes every point's value as of `time` from the jobs still open — `job` events without an end, as the event
   * store keeps them across restarts: racks of an open job active with its share of power and GPUs, every other rack
   * idle (false, 0). Called once after `start`, so a rack that never ran a job has a value and a job that outlived a
   * restart still shows as running. Where open jobs overlap on a rack, the latest started wins, as with `accept`.
   */
  publishOpen(openJobs: readonly PlenumEvent[], time: number): Promise<void>;
}

/** What a job event or webhook says about its racks (`data` of a `job` event). */
interface JobData {
  racks?: string[];
  expectedKw?: number;
  gpus?: number;
}

/**
 * Job webhooks as samples, so rules and panels can use them like any measurement: per rack, whether a job runs
 * (`active`, boolean), the power the job expects there (`expected_power`, kW: the job's expected kW split evenly
 * over its racks) and its GPUs (`gpus`). Values are set at the job's start and back to false/0 at its end, and
 * published for every point from the open jobs when the backend starts (`publishOpen`). The webhook itself
 * arrives on `POST /api/events`; this connector only has the sink to write to.
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
  /** a point's value while a job with `data` runs on its rack (`running`), or after it ended */
  const value = (p: SourcePoint, data: JobData, running: boolean): number | boolean => {
    const racks = data.racks?.length ?? 0;
    switch (p.source.address as JobSignal) {
      case 'active':
        return running;
      case 'expected_power':
        return running && data.expectedKw !== undefined ? data.expectedKw / racks : 0;
      case 'gpus':
        return running && data.gpus !== undefined ? Math.round(data.gpus / racks) : 0;
    }
  };
  /** the points of the racks a job names, in its hall when it names one */
  const pointsOf = (data: JobData, hall: string | undefined) =>
    source.points.filter(
      (p) => (data.racks ?? []).includes(p.location.rack!) && (hall === undefined || p.location.hall === hall),
    );
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
      const data = job.event.data as JobData;
      const points = pointsOf(data, job.event.location?.hall);
      if (!points.length) return;
      const running = job.phase === 'start';
      await sink(
        points.map((p) => ({ pointId: p.id, ts: time, value: value(p, data, running), quality: 'good' as const })),
      );
    },
    async publishOpen(openJobs, time) {
      if (!sink || !source.points.length) return;
      const values = new Map<string, number | boolean>(source.points.map((p) => [p.id, value(p, {}, false)]));
      const oldestFirst = openJobs
        .filter((e) => e.type === 'job' && e.timeEnd === undefined)
        .sort((a, b) => a.time - b.time || a.id - b.id);
      for (const e of oldestFirst) {
        const data = (e.data ?? {}) as JobData;
        for (const p of pointsOf(data, e.location?.hall)) values.set(p.id, value(p, data, true));
      }
      await sink([...values].map(([pointId, v]) => ({ pointId, ts: time, value: v, quality: 'good' as const })));
    },
  };
}
