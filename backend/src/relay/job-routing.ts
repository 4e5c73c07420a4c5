/**
 * Which edge runs a job posted at the hub: the edge that announced the job's hall (and site, when the webhook
 * names one), else the one whose hall holds all the job's racks (from the edges' retained `info`). Every failure is
 * a 4xx answer naming the hall or rack, so a scheduler's mistake is not retried forever.
 */
import type { JobTransition } from '../connectors/jobs/payload';
import { K8S_ANNOTATIONS } from '../connectors/jobs/payload';

export interface KnownEdge {
  /** `<group>/<edge node>`: the topics' ids */
  group: string;
  edge: string;
  site: string;
  hall: string;
  racks: ReadonlySet<string>;
}

export type Route = { ok: true; edge: KnownEdge; body: unknown } | { ok: false; status: 400 | 404; error: string };

const name = (e: KnownEdge) => `${e.group}/${e.edge} (site ${e.site}, hall ${e.hall})`;

/**
 * Where a webhook carries its hall and racks, for the field every refusal begins with (the API's error contract:
 * `<field>: what`): a Kubernetes Job in its annotations, a Slurm-like body in `hall` and `racks`.
 */
function fields(body: unknown): { hall: string; racks: string } {
  return (body as { kind?: unknown }).kind === 'Job'
    ? {
        hall: `body.metadata.annotations["${K8S_ANNOTATIONS.hall}"]`,
        racks: `body.metadata.annotations["${K8S_ANNOTATIONS.racks}"]`,
      }
    : { hall: 'body.hall', racks: 'body.racks' };
}

export function routeJob(job: JobTransition, body: unknown, edges: readonly KnownEdge[]): Route {
  const site = typeof (body as { site?: unknown }).site === 'string' ? (body as { site: string }).site : undefined;
  const f = fields(body);
  const inSite = edges.filter((e) => site === undefined || e.site === site);
  if (site !== undefined && inSite.length === 0)
    return { ok: false, status: 404, error: `body.site: no edge publishes site "${site}"${known(edges)}` };
  const hall = job.event.location?.hall;
  const racks = ((job.event.data as { racks?: string[] } | undefined)?.racks ?? []).filter(Boolean);
  let edge: KnownEdge;
  if (hall !== undefined) {
    const of = inSite.filter((e) => e.hall === hall);
    if (of.length === 0)
      return { ok: false, status: 404, error: `${f.hall}: no edge publishes hall "${hall}"${known(edges)}` };
    if (of.length > 1)
      return {
        ok: false,
        status: 400,
        error: `${f.hall}: hall "${hall}" is published by ${of.map(name).join(' and ')}: name the site (body.site)`,
      };
    edge = of[0]!;
    const unknown = racks.filter((r) => !edge.racks.has(r));
    if (unknown.length)
      return {
        ok: false,
        status: 404,
        error: `${f.racks}: rack${unknown.length > 1 ? 's' : ''} ${unknown.map((r) => `"${r}"`).join(', ')} not in hall "${hall}" (edge ${edge.group}/${edge.edge})`,
      };
  } else {
    if (racks.length === 0)
      return {
        ok: false,
        status: 400,
        error: `${f.racks}: the job names no racks and no hall (${f.hall}): the hub cannot tell which edge runs it`,
      };
    const halls = new Map<KnownEdge, string[]>();
    for (const r of racks) {
      const holders = inSite.filter((e) => e.racks.has(r));
      if (holders.length === 0)
        return {
          ok: false,
          status: 404,
          error: `${f.racks}: rack "${r}" is in no hall an edge publishes${known(edges)}`,
        };
      if (holders.length > 1)
        return {
          ok: false,
          status: 400,
          error: `${f.racks}: rack "${r}" is in ${holders.map(name).join(' and ')}: name the hall (${f.hall})`,
        };
      halls.set(holders[0]!, [...(halls.get(holders[0]!) ?? []), r]);
    }
    if (halls.size > 1)
      return {
        ok: false,
        status: 400,
        error: `${f.racks}: the job's racks are in several halls (${[...halls].map(([e, rs]) => `${e.hall}: ${rs.join(', ')}`).join('; ')}): post one job per hall`,
      };
    edge = [...halls.keys()][0]!;
  }
  return { ok: true, edge, body: withHall(body, edge.hall) };
}

const known = (edges: readonly KnownEdge[]) =>
  edges.length ? `; edges known: ${edges.map(name).join(', ')}` : '; no edge has announced itself yet';

/** The body with the edge's hall in it, so the edge's job event has the hall (Slurm `hall`, k8s annotation). */
function withHall(body: unknown, hall: string): unknown {
  const b = body as Record<string, unknown>;
  if (b.kind === 'Job') {
    const metadata = (b.metadata ?? {}) as Record<string, unknown>;
    const annotations = { ...((metadata.annotations ?? {}) as Record<string, string>), [K8S_ANNOTATIONS.hall]: hall };
    return { ...b, metadata: { ...metadata, annotations } };
  }
  return { ...b, hall };
}
