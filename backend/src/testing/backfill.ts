import type { PointPage } from '@plenum/model';
import { HallModel } from '../sim/model';

export interface BackfillOptions {
  /** first and last sample time, Unix ms */
  from: number;
  to: number;
  /** one sample per point every `stepMs`, @default 10000 */
  stepMs?: number;
  /** the simulated hall's seed, @default 1 (the simulator's) */
  seed?: number;
}

/** Writes samples through `POST /api/samples` in batches of 5,000; throws naming the first refused sample. */
export async function postSamples(
  url: string,
  token: string | undefined,
  samples: Array<{ pointId: string; ts: number; value: number | boolean | string; unit?: string }>,
): Promise<void> {
  const headers = { 'Content-Type': 'application/json', ...(token && { Authorization: `Bearer ${token}` }) };
  for (let i = 0; i < samples.length; i += 5000) {
    const res = await fetch(`${url}/api/samples`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ samples: samples.slice(i, i + 5000) }),
    });
    const body = (await res.json()) as { rejected?: Array<{ pointId: string; reason: string }>; error?: string };
    if (!res.ok || body.rejected?.length) {
      throw new Error(`POST /api/samples: ${res.status} ${body.error ?? JSON.stringify(body.rejected?.[0])}`);
    }
  }
}

/**
 * History for end-to-end tests and screenshots: steps the simulator's own seeded hall model over `[from, to]` and
 * writes every reading the backend has a point for, in the signal's unit (converted by the backend), so
 * dashboards over hours have hours of data without waiting for them. Returns the number of samples written.
 */
export async function backfillHistory(url: string, token: string | undefined, opts: BackfillOptions): Promise<number> {
  const headers = token ? { Authorization: `Bearer ${token}` } : undefined;
  const known = new Set<string>();
  for (let page = 1; ; page++) {
    const res = (await (await fetch(`${url}/api/points?pageSize=1000&page=${page}`, { headers })).json()) as PointPage;
    for (const p of res.points) known.add(p.id);
    if (page * res.pageSize >= res.total) break;
  }
  const model = new HallModel({ startMs: opts.from, seed: opts.seed ?? 1 });
  const units = new Map(model.signals().map((s) => [s.id, s.unit]));
  const stepMs = opts.stepMs ?? 10_000;
  let batch: Array<{ pointId: string; ts: number; value: number; unit?: string }> = [];
  let written = 0;
  for (let t = opts.from; t <= opts.to; t += stepMs) {
    model.advanceTo(t);
    for (const [pointId, r] of model.readings()) {
      if (!known.has(pointId) || r.value === null) continue;
      const unit = units.get(pointId);
      batch.push({ pointId, ts: t, value: r.value, ...(unit && { unit }) });
    }
    if (batch.length >= 20_000) {
      await postSamples(url, token, batch);
      written += batch.length;
      batch = [];
    }
  }
  await postSamples(url, token, batch);
  return written + batch.length;
}
