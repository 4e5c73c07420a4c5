import { routeJob, type KnownEdge } from './job-routing';
import { parseJobWebhook } from '../connectors/jobs/payload';

/**
 * Found by the API fuzz (reliability/suites/api-fuzz.ts, hub phase): the hub's job-routing refusals began with
 * prose ("rack "x" is in no hall …", "the job names no hall …") rather than the field, against the API's error
 * contract (`<field>: what`). Each refusal now names where in the webhook the hall or racks were read.
 */
const edge = (hall: string, racks: string[], site = 'sim'): KnownEdge => ({
  group: site,
  edge: hall,
  site,
  hall,
  racks: new Set(racks),
});
const EDGES = [edge('hall1', ['A01', 'A02']), edge('hall2', ['B01'])];
const NOW = Date.parse('2026-12-04T00:00:00Z');

function refusal(body: Record<string, unknown>, edges: KnownEdge[] = EDGES): { status: number; error: string } {
  const r = routeJob(parseJobWebhook(body, NOW), body, edges);
  if (r.ok) throw new Error(`routed to ${r.edge.hall}, expected a refusal`);
  return { status: r.status, error: r.error };
}

const slurm = (extra: Record<string, unknown>) => ({ event: 'job_start', job_id: '1', ...extra });
const k8s = (annotations: Record<string, string>) => ({
  kind: 'Job',
  metadata: { name: 'train', uid: 'u1', annotations },
  status: { startTime: '2026-12-04T00:00:00Z' },
});

describe('job routing refusals name the field (found by the hub API fuzz)', () => {
  it.each([
    ['an unknown site', slurm({ site: 'dc9', racks: ['A01'] }), 404, /^body\.site: no edge publishes site "dc9"/],
    ['an unknown hall', slurm({ hall: 'hall9' }), 404, /^body\.hall: no edge publishes hall "hall9"/],
    ['a rack not in the hall', slurm({ hall: 'hall1', racks: ['B01'] }), 404, /^body\.racks: rack "B01" not in hall/],
    ['no hall and no racks', slurm({}), 400, /^body\.racks: the job names no racks and no hall \(body\.hall\)/],
    ['a rack in no hall', slurm({ racks: ['Z99'] }), 404, /^body\.racks: rack "Z99" is in no hall an edge publishes/],
    ['racks in two halls', slurm({ racks: ['A01', 'B01'] }), 400, /^body\.racks: the job's racks are in several halls/],
    [
      'a Kubernetes Job with an unknown rack',
      k8s({ 'plenum.io/racks': 'Z99' }),
      404,
      /^body\.metadata\.annotations\["plenum\.io\/racks"\]: rack "Z99"/,
    ],
    [
      'a Kubernetes Job with an unknown hall',
      k8s({ 'plenum.io/hall': 'hall9' }),
      404,
      /^body\.metadata\.annotations\["plenum\.io\/hall"\]: no edge publishes hall "hall9"/,
    ],
  ])('%s', (_what, body, status, error) => {
    const r = refusal(body);
    expect(r.status).toBe(status);
    expect(r.error).toMatch(error);
  });

  it('a hall two edges publish asks for the site in the hall field', () => {
    const r = refusal(slurm({ hall: 'hall1' }), [...EDGES, edge('hall1', ['A01'], 'dc2')]);
    expect(r).toEqual({
      status: 400,
      error: expect.stringMatching(/^body\.hall: hall "hall1" is published by .*body\.site/),
    });
  });

  it('a rack two edges hold asks for the hall', () => {
    const r = refusal(slurm({ racks: ['A01'] }), [...EDGES, edge('hall3', ['A01'])]);
    expect(r).toEqual({
      status: 400,
      error: expect.stringMatching(/^body\.racks: rack "A01" is in .*name the hall \(body\.hall\)/),
    });
  });
});
