import { z } from 'zod';
import type { NewEvent } from '@plenum/model';
import { QueryError } from '../../common/errors';
import { formatIssues } from '../../common/zod-issues';

/**
 * Job start/end webhooks from cluster schedulers, turned into Plenum `job` events. Two shapes are understood:
 * a Slurm-like JSON body (what a `PrologSlurmctld`/`EpilogSlurmctld` script or the simulator posts) and a
 * Kubernetes `batch/v1` Job object (what a watch-and-forward controller posts). Everything else that reaches
 * `POST /api/events` is a plain Plenum event.
 */

const time = z.union([z.number(), z.string().min(1)]);

/** Slurm-like: one body per transition. `racks` name racks of the site topology. */
export const slurmJobSchema = z.looseObject({
  event: z.enum(['job_submit', 'job_start', 'job_end']),
  job_id: z.union([z.string().min(1), z.number()]),
  user: z.string().optional(),
  racks: z.array(z.string()).max(10_000).default([]),
  gpus: z.number().int().min(0).optional(),
  /** expected mean IT power of the whole job, kW */
  expected_kw: z.number().min(0).optional(),
  time: time.optional(),
  start_time: time.optional(),
  end_time: time.optional(),
  hall: z.string().optional(),
  site: z.string().optional(),
});

/** Kubernetes Job: racks and power come from annotations, as Kubernetes has no notion of them. */
export const k8sJobSchema = z.looseObject({
  apiVersion: z.string().optional(),
  kind: z.literal('Job'),
  metadata: z.looseObject({
    name: z.string().min(1),
    namespace: z.string().optional(),
    uid: z.string().optional(),
    annotations: z.record(z.string(), z.string()).optional(),
    labels: z.record(z.string(), z.string()).optional(),
  }),
  status: z
    .looseObject({
      startTime: z.string().optional(),
      completionTime: z.string().optional(),
      failed: z.number().optional(),
      succeeded: z.number().optional(),
    })
    .default({}),
});

/** Annotations a Kubernetes Job carries for Plenum: `plenum.io/racks: A01,A02`, `plenum.io/expected-kw: 480`. */
export const K8S_ANNOTATIONS = {
  racks: 'plenum.io/racks',
  expectedKw: 'plenum.io/expected-kw',
  gpus: 'plenum.io/gpus',
  hall: 'plenum.io/hall',
};

export interface JobTransition {
  jobId: string;
  /** submit: announced, queued (not stored as an event, not a sample; automation prepares for it) */
  phase: 'submit' | 'start' | 'end';
  /** when the job started and (for an end) ended; Unix ms unless given as an ISO string */
  start: number | string;
  end?: number | string;
  event: Omit<NewEvent, 'time' | 'timeEnd'>;
}

const parse = <T extends z.ZodType>(schema: T, body: unknown): z.infer<T> => {
  const r = schema.safeParse(body);
  if (!r.success) throw new QueryError(formatIssues(r.error.issues, ['body']).join('; '));
  return r.data;
};

/** Is this body a scheduler's job webhook rather than a Plenum event? */
export function isJobWebhook(body: unknown): boolean {
  if (typeof body !== 'object' || body === null) return false;
  const b = body as Record<string, unknown>;
  return b.kind === 'Job' || b.event === 'job_submit' || b.event === 'job_start' || b.event === 'job_end';
}

/** Reads a job webhook body; errors name the field (`body.racks[0]`, `body.metadata.name`). */
export function parseJobWebhook(body: unknown, now: number): JobTransition {
  if ((body as { kind?: unknown }).kind === 'Job') {
    const j = parse(k8sJobSchema, body);
    const a = j.metadata.annotations ?? {};
    const racks = (a[K8S_ANNOTATIONS.racks] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const num = (key: string) => (a[key] !== undefined && Number.isFinite(Number(a[key])) ? Number(a[key]) : undefined);
    const ended = j.status.completionTime !== undefined || (j.status.failed ?? 0) > 0;
    const jobId = `${j.metadata.namespace ?? 'default'}/${j.metadata.name}`;
    return transition({
      jobId,
      phase: ended ? 'end' : 'start',
      start: j.status.startTime ?? now,
      end: ended ? (j.status.completionTime ?? now) : undefined,
      user: j.metadata.labels?.user ?? j.metadata.namespace,
      racks,
      gpus: num(K8S_ANNOTATIONS.gpus),
      expectedKw: num(K8S_ANNOTATIONS.expectedKw),
      hall: a[K8S_ANNOTATIONS.hall],
      scheduler: 'kubernetes',
    });
  }
  const s = parse(slurmJobSchema, body);
  const phase = s.event === 'job_submit' ? 'submit' : s.event === 'job_start' ? 'start' : 'end';
  return transition({
    jobId: String(s.job_id),
    phase,
    start: s.start_time ?? (phase !== 'end' ? (s.time ?? now) : now),
    end: phase === 'end' ? (s.end_time ?? s.time ?? now) : undefined,
    user: s.user,
    racks: s.racks,
    gpus: s.gpus,
    expectedKw: s.expected_kw,
    hall: s.hall,
    scheduler: 'slurm',
  });
}

function transition(j: {
  jobId: string;
  phase: JobTransition['phase'];
  start: number | string;
  end?: number | string;
  user?: string;
  racks: string[];
  gpus?: number;
  expectedKw?: number;
  hall?: string;
  scheduler: string;
}): JobTransition {
  const details = [
    j.user,
    j.racks.length ? `${j.racks.length} rack${j.racks.length > 1 ? 's' : ''}` : undefined,
    j.expectedKw !== undefined ? `${j.expectedKw} kW` : undefined,
  ]
    .filter(Boolean)
    .join(', ');
  return {
    jobId: j.jobId,
    phase: j.phase,
    start: j.start,
    end: j.end,
    event: {
      type: 'job',
      severity: 'info',
      title: `job ${j.jobId}${details ? ` (${details})` : ''}`,
      ...(j.hall && { location: { hall: j.hall, ...(j.racks.length === 1 && { rack: j.racks[0] }) } }),
      tags: ['job', j.scheduler, ...(j.user ? [`user:${j.user}`] : []), ...j.racks.map((r) => `rack:${r}`)],
      source: j.scheduler,
      data: { jobId: j.jobId, user: j.user, racks: j.racks, gpus: j.gpus, expectedKw: j.expectedKw },
    },
  };
}
