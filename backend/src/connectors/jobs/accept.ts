import { QueryError } from '../../common/errors';
import type { EventStore } from '../../events/event-store';
import { MAX_AHEAD_MS } from '../../ingest/pipeline';
import { describeInstant, parseTime } from '../../query/time';
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
  const time = notAhead(parseTime(job.start, 'body.start_time', now), 'body.start_time', now);
  const timeEnd =
    job.end === undefined ? undefined : notAhead(parseTime(job.end, 'body.end_time', now), 'body.end_time', now);
  const event = d.events.recordJob(job.jobId, { ...job.event, time, timeEnd });
  await d.onJob?.(job, job.phase === 'start' ? time : (timeEnd ?? now));
  return { status: 201, body: event };
}

/**
 * A start or end ahead of the clock by more than the ingest's tolerance (MAX_AHEAD_MS, 5 min) is refused here,
 * naming the field: the jobs source would write the job's per-rack samples at that time and the ingest refuse
 * them, which answered 500 after the event was already recorded (found by the API fuzz's hub phase with
 * `"time": "now+1w"`). An announced future job is a job_submit.
 */
function notAhead(t: number, field: string, now: number): number {
  if (t > now + MAX_AHEAD_MS)
    throw new QueryError(
      `${field}: ${describeInstant(t)} is ${Math.round((t - now) / 60_000)} min ahead of this backend's clock (${describeInstant(now)}; at most ${MAX_AHEAD_MS / 60_000} min); post a job that has not started as job_submit`,
    );
  return t;
}
