/**
 * Small HTTP helpers for end-to-end tests of automation: the backend's API (with a bearer token) and the twin's
 * control API, which is where a test observes the plant (readings, ground truth) — never a device write.
 */

export interface GroundTruthEntry {
  /** simulated Unix ms */
  time: number;
  type: string;
  target?: string;
  by?: string;
  from?: number | null;
  to?: number | null;
}

export type TwinReadings = Record<string, { value: number | null; quality: string }>;

export interface TraceEntry {
  id: number;
  time: number;
  kind: string;
  actor: string;
  pointId?: string;
  data: Record<string, unknown>;
}

export async function json<T>(url: string, init?: RequestInit): Promise<{ status: number; body: T }> {
  const r = await fetch(url, init);
  return { status: r.status, body: (await r.json()) as T };
}

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' });

/** the twin's readings of the points whose id starts with `prefix` */
export async function twinReadings(control: string, prefix: string): Promise<TwinReadings> {
  return (await json<{ readings: TwinReadings }>(`${control}/readings?prefix=${encodeURIComponent(prefix)}`)).body
    .readings;
}

/** the twin's value of one point */
export async function twinValue(control: string, id: string): Promise<number | null | undefined> {
  return (await twinReadings(control, id))[id]?.value;
}

/** the writes to `target` the twin accepted, in order, whoever wrote them (ground truth) */
export async function twinWrites(control: string, target: string): Promise<GroundTruthEntry[]> {
  const gt = (await json<{ entries: GroundTruthEntry[] }>(`${control}/ground-truth`)).body.entries;
  return gt.filter((e) => e.type === 'write' && e.target === target);
}

/** the backend's latest sample of a point (the guard's interlock wants it good before a write) */
export async function latestSample(
  url: string,
  token: string,
  id: string,
): Promise<{ value: unknown; quality: unknown } | undefined> {
  const r = await json<{
    results: Record<
      string,
      { frames: Array<{ schema: { fields: Array<{ name: string }> }; data: { values: unknown[][] } }> }
    >;
  }>(`${url}/api/query`, {
    method: 'POST',
    headers: bearer(token),
    body: JSON.stringify({
      range: { from: 'now-5m', to: 'now' },
      queries: [{ refId: 'L', queryType: 'latest', selector: { ids: [id] } }],
    }),
  });
  const f = r.body.results.L?.frames[0];
  if (!f) return undefined;
  const names = f.schema.fields.map((x) => x.name);
  const at = (name: string) => f.data.values[names.indexOf(name)]?.[0];
  return at('point') === id ? { value: at('value'), quality: at('quality') } : undefined;
}

/** the automation trace of `pointId`, oldest first, from `since` (Unix ms, the run's clock) */
export async function pointTrace(url: string, token: string, pointId: string, since = 0): Promise<TraceEntry[]> {
  const t = await json<{ trace: TraceEntry[] }>(`${url}/api/automation/trace?limit=1000&from=${since}`, {
    headers: bearer(token),
  });
  return t.body.trace.filter((e) => e.pointId === pointId).reverse();
}
