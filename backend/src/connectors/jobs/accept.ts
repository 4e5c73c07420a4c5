import type { EventStore } from '../../events/event-store';
import { parseTime } from '../../query/time';
import { parseJobWebhook, type JobTransition } from './payload';

export interface JobAcceptDeps {
  events: EventStore;
  now: () => number;
  /** hands the job to the `jobs` sources (per-rack samples) and automation */
  onJob?: (job: JobTransition, time: number) => Promise<void>;
}

/** What the scheduler is answered: 201 with the job's event, or 202 for a submitted (announced) job. */
export interface JobAnswer {
  status: 201 | 202;
  body: unknown;
}

/**
 * One scheduler job webhook (Slurm-like or a Kubernetes Job, payload.ts) as `POST /api/events` handles it at the
 * edge, and as the edge's relay handles one the hub routed to it (relay/README.md): a start or end is recorded
 * idempotently (one event per job, so a retried webhook changes nothing) and handed to the jobs sources; a
 * submit only to automation. Throws a QueryError naming the field of a bad body.
 */
export async function acceptJobWebhook(body: unknown, d: JobAcceptDeps): Promise<JobAnswer> {
  const now = d.now();
  const job = parseJobWebhook(body, now);
  if (job.phase === 'submit') {
    // announced, not running: no job event, no samples; automation prepares its racks' cooling
    await d.onJob?.(job, parseTime((body as { time?: string }).time ?? now, 'body.time', now));
    return { status: 202, body: { accepted: 'job_submit', job: job.jobId } };
  }
  const time = parseTime(job.start, 'body.start_time', now);
  const timeEnd = job.end === undefined ? undefined : parseTime(job.end, 'body.end_time', now);
  const event = d.events.recordJob(job.jobId, { ...job.event, time, timeEnd });
  await d.onJob?.(job, job.phase === 'start' ? time : (timeEnd ?? now));
  return { status: 201, body: event };
}
