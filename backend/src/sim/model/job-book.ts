/**
 * The jobs of one run: the seeded schedule plus jobs added through the API, which of them run at a given time,
 * and the append-only list of job start/end events (what a scheduler's webhook would announce).
 */
import { JOB_RAMP_DOWN_MS, type Job } from './jobs';

export interface JobEvent {
  event: 'job_submit' | 'job_start' | 'job_end';
  /** Unix ms (simulated time): the job's submission (its start − the submit lead, not before it was added), start or end */
  time: number;
  job: Job;
}

export class JobBook {
  private readonly all: Job[] = [];
  /** not yet started, sorted by start */
  private readonly pending: Job[] = [];
  /** started, not yet back to idle */
  private running: Job[] = [];
  private readonly ended = new Set<string>();
  private readonly submitted = new Set<string>();
  private readonly events: JobEvent[] = [];
  private lastT = -Infinity;

  /** @param submitLeadMs how long before its start a scheduler announces a job (job_submit), ms */
  constructor(private readonly submitLeadMs = 0) {}

  has(id: string): boolean {
    return this.all.some((j) => j.id === id);
  }

  add(job: Job): void {
    this.all.push(job);
    // binary search keeps pending sorted by start (ties: in insertion order)
    let lo = 0;
    let hi = this.pending.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.pending[mid] as Job).start <= job.start) lo = mid + 1;
      else hi = mid;
    }
    this.pending.splice(lo, 0, job);
  }

  /** Starts and ends jobs as of `t`, logging events; returns the jobs drawing power at `t`. */
  update(t: number): readonly Job[] {
    // runs every step: nothing is allocated unless a job starts, ends or stops drawing power
    let due: JobEvent[] | undefined;
    // the scheduler announces a job submitLeadMs before it starts (pending is sorted by start)
    for (let i = 0; i < this.pending.length; i++) {
      const job = this.pending[i] as Job;
      if (job.start - this.submitLeadMs > t) break;
      if (this.submitted.has(job.id)) continue;
      this.submitted.add(job.id);
      (due ??= []).push({
        event: 'job_submit',
        time: Math.min(job.start, Math.max(job.start - this.submitLeadMs, this.lastT)),
        job,
      });
    }
    this.lastT = t;
    while (this.pending.length > 0 && (this.pending[0] as Job).start <= t) {
      const job = this.pending.shift() as Job;
      this.running.push(job);
      (due ??= []).push({ event: 'job_start', time: job.start, job });
    }
    let gone = false;
    for (let i = 0; i < this.running.length; i++) {
      const job = this.running[i] as Job;
      const end = job.start + job.durationMs;
      if (end <= t && !this.ended.has(job.id)) {
        this.ended.add(job.id);
        (due ??= []).push({ event: 'job_end', time: end, job });
      }
      if (t >= end + JOB_RAMP_DOWN_MS) gone = true;
    }
    if (gone) this.running = this.running.filter((j) => t < j.start + j.durationMs + JOB_RAMP_DOWN_MS);
    if (due) {
      due.sort((a, b) => a.time - b.time);
      this.events.push(...due);
    }
    return this.running;
  }

  /** Every job known so far, by start time. */
  list(): Job[] {
    return [...this.all].sort((a, b) => a.start - b.start || (a.id < b.id ? -1 : 1));
  }

  jobEvents(): readonly JobEvent[] {
    return this.events;
  }
}
