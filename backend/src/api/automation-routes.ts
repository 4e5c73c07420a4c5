/**
 * The automation API: status, modes, proposals, manual writes, the emergency stop, rules with versions, the
 * trace, and the capacity check for schedulers. Operator routes need the operate scope, rule changes the admin
 * scope; every change names its actor (the token's name, and the Grafana user the data source proxy sends).
 */
import type { Request, Response } from 'express';
import { z } from 'zod';
import type { Automation } from '../automation';
import { capacityCheck } from '../automation/capacity';
import { MODES } from '../automation/config';
import type { Actor } from '../automation/guard/verdict';
import { QueryError } from '../common/errors';
import type { RequestAuth } from './auth';
import { validate, type ApiDeps, type RouteSpec } from './routes';

function automationOf(deps: ApiDeps): Automation {
  if (!deps.automation) throw new QueryError('automation: not configured (no automation: section in the site config)');
  return deps.automation;
}

/** The operator behind a request: the token's name, and the Grafana user when the proxy sends one. */
function actor(res: Response, req: Request): Actor {
  const auth = res.locals.auth as RequestAuth;
  const user = req.get('x-grafana-user');
  return { kind: 'operator', id: user ? `${auth.name}/${user.slice(0, 80)}` : auth.name };
}

const idParam = (req: Request, name = 'id') => String(req.params[name] ?? '');

const writeBody = z.strictObject({
  pointId: z.string().min(1),
  value: z.number().nullable().describe('canonical unit; null hands the point back to the BMS'),
  leaseS: z
    .number()
    .int()
    .min(10)
    .max(4 * 3600)
    .optional()
    .describe('how long the write holds, s, @default the guard lease'),
  reason: z.string().max(500).optional(),
});

const capacityBody = z.strictObject({
  racks: z.array(z.string().min(1)).min(1).max(10_000),
  kwPerRack: z.number().positive().max(2000),
  hall: z.string().optional(),
});

const traceQuery = z.strictObject({
  kind: z.string().optional().describe('evaluation, verdict, write, write-failed, release, mode, stop, …'),
  from: z.coerce.number().int().min(0).optional().describe('epoch ms, inclusive'),
  to: z.coerce.number().int().min(0).optional().describe('epoch ms, exclusive'),
  before: z.coerce.number().int().min(1).optional().describe('entries with a smaller id (the next page)'),
  limit: z.coerce.number().int().min(1).max(1000).optional().describe('@default 200'),
});

/** the HTTP status of a refused write: the request is wrong (400) or the plant's state refuses it now (409) */
const statusOfCode = (code: string) =>
  ['bounds', 'step', 'slew', 'dwell', 'type', 'not-writable'].includes(code) ? 400 : 409;

export const AUTOMATION_ROUTES: RouteSpec[] = [
  {
    method: 'get',
    path: '/api/automation',
    summary: 'Rules with their mode and state, leases, pending and recent proposals, the emergency-stop state.',
    tag: 'automation',
    responses: { '200': 'the state', '400': 'automation not configured' },
    handle(deps, _req, res) {
      const a = automationOf(deps);
      res.json({
        ...a.engine.status(),
        leases: a.guard.leaseViews(),
        proposals: a.store.proposals({ limit: 50 }),
      });
    },
  },
  {
    method: 'post',
    path: '/api/automation/stop',
    scope: 'operate',
    summary: 'Emergency stop: every rule to observe, every lease handed back to the BMS. Answers at once.',
    tag: 'automation',
    responses: { '200': '{stopped, leases, rules}' },
    handle(deps, req, res) {
      const r = automationOf(deps).engine.stop(actor(res, req));
      res.json({ stopped: true, ...r });
    },
  },
  {
    method: 'post',
    path: '/api/automation/resume',
    scope: 'operate',
    summary: 'Ends an emergency stop; rules stay in observe until a mode is set.',
    tag: 'automation',
    responses: { '200': '{stopped: false}' },
    handle(deps, req, res) {
      automationOf(deps).engine.resume(actor(res, req));
      res.json({ stopped: false });
    },
  },
  {
    method: 'post',
    path: '/api/automation/rules/:id/mode',
    scope: 'operate',
    summary: "Sets a rule's mode: observe, dry-run, approve or auto (durable; clears a breaker lock).",
    tag: 'automation',
    body: z.strictObject({ mode: z.enum(MODES) }),
    responses: { '200': 'the rule', '400': 'unknown rule or mode, or stopped' },
    async handle(deps, req, res) {
      const a = automationOf(deps);
      const { mode } = validate(z.strictObject({ mode: z.enum(MODES) }), req.body, 'body');
      await a.engine.setMode(idParam(req), mode, actor(res, req));
      res.json(a.engine.status().rules.find((r) => r.id === idParam(req)));
    },
  },
  {
    method: 'post',
    path: '/api/automation/proposals/:id/approve',
    scope: 'operate',
    summary: 'Approves a pending proposal: the guard judges it again now and writes.',
    tag: 'automation',
    responses: {
      '200': 'the guard result',
      '400': 'not pending, expired or unknown',
      '409': 'the guard refused it now',
    },
    async handle(deps, req, res) {
      const id = Number(idParam(req));
      if (!Number.isInteger(id)) throw new QueryError(`proposal id: expected a number; got "${idParam(req)}"`);
      const r = await automationOf(deps).engine.approve(id, actor(res, req));
      res.status(r.verdict.allow ? (r.error ? 502 : 200) : statusOfCode(r.verdict.code)).json(r);
    },
  },
  {
    method: 'post',
    path: '/api/automation/proposals/:id/reject',
    scope: 'operate',
    summary: 'Rejects a pending proposal.',
    tag: 'automation',
    responses: { '200': 'rejected', '400': 'not pending or unknown' },
    handle(deps, req, res) {
      const id = Number(idParam(req));
      if (!Number.isInteger(id)) throw new QueryError(`proposal id: expected a number; got "${idParam(req)}"`);
      const body = validate(z.strictObject({ reason: z.string().max(500).optional() }), req.body ?? {}, 'body');
      automationOf(deps).engine.reject(id, actor(res, req), body.reason);
      res.json({ id, status: 'rejected' });
    },
  },
  {
    method: 'post',
    path: '/api/automation/write',
    scope: 'operate',
    summary: 'A manual write by an operator (priority 1), through the guard; null hands the point back.',
    tag: 'automation',
    body: writeBody,
    responses: {
      '200': 'written and read back',
      '400': 'a bound, named',
      '409': 'owner, interlock, breaker or stop',
      '502': 'the device failed',
    },
    async handle(deps, req, res) {
      const a = automationOf(deps);
      const b = validate(writeBody, req.body, 'body');
      const who = actor(res, req);
      if (!a.points.has(b.pointId)) throw new QueryError(`body.pointId: unknown point "${b.pointId}"`);
      if (b.value === null) {
        const r = await a.guard.release(b.pointId, who, b.reason ?? 'handed back by an operator');
        res.json(r ?? { released: false, reason: 'Plenum holds no lease on this point' });
        return;
      }
      const r = await a.guard.write(
        { pointId: b.pointId, value: b.value, actor: who, priority: 1, reason: b.reason ?? 'manual write', inputs: [] },
        b.leaseS !== undefined ? b.leaseS * 1000 : undefined,
      );
      if (!r.verdict.allow) {
        res
          .status(statusOfCode(r.verdict.code))
          .json({ error: `body.value: ${r.verdict.reason} (point ${b.pointId})`, verdict: r.verdict });
        return;
      }
      res.status(r.error ? 502 : 200).json(r);
    },
  },
  {
    method: 'get',
    path: '/api/automation/rules',
    summary: 'Every rule as configured, with its version and origin (file or API).',
    tag: 'automation',
    responses: { '200': '{rules}' },
    handle(deps, _req, res) {
      const a = automationOf(deps);
      res.json({ rules: a.engine.status().rules.map((r) => ({ ...r, config: a.engine.rule(r.id).config })) });
    },
  },
  {
    method: 'get',
    path: '/api/automation/rules/:id/versions',
    summary: "The versions of a rule stored through the API (the file's is version 1).",
    tag: 'automation',
    responses: { '200': '{versions}', '400': 'unknown rule' },
    handle(deps, req, res) {
      res.json({ versions: automationOf(deps).engine.versions(idParam(req)) });
    },
  },
  {
    method: 'put',
    path: '/api/automation/rules/:id',
    scope: 'admin',
    summary:
      'A new version of a rule (validated against the site: points, bounds, cycles); it replaces the running one.',
    tag: 'automation',
    responses: { '200': 'the rule', '400': 'the field that is wrong, named' },
    async handle(deps, req, res) {
      const body = (req.body ?? {}) as Record<string, unknown>;
      if (body.id !== undefined && body.id !== idParam(req))
        throw new QueryError(`body.id: "${String(body.id)}" differs from the path's "${idParam(req)}"`);
      res.json(await automationOf(deps).engine.putRule({ ...body, id: idParam(req) }, actor(res, req)));
    },
  },
  {
    method: 'delete',
    path: '/api/automation/rules/:id',
    scope: 'admin',
    summary: 'Removes a rule (a version marking it deleted); its points are handed back.',
    tag: 'automation',
    responses: { '200': 'deleted', '400': 'unknown rule' },
    async handle(deps, req, res) {
      await automationOf(deps).engine.deleteRule(idParam(req), actor(res, req));
      res.json({ id: idParam(req), deleted: true });
    },
  },
  {
    method: 'get',
    path: '/api/automation/trace',
    summary:
      'The durable trace, newest first: evaluations (inputs with qualities, decision), verdicts, writes, releases. ' +
      '`before` (an entry id) pages back.',
    tag: 'automation',
    query: traceQuery,
    responses: { '200': '{trace}', '400': 'a query parameter, named' },
    handle(deps, req, res) {
      const q = validate(traceQuery, req.query, 'query');
      res.json({ trace: automationOf(deps).store.traces({ ...q, limit: q.limit ?? 200 }) });
    },
  },
  {
    method: 'post',
    path: '/api/capacity',
    summary:
      'Whether power (rack PDU and feed ratings) and cooling (fans, plant) allow a job on these racks now, with reasons.',
    tag: 'automation',
    body: capacityBody,
    responses: { '200': '{ok, reasons, racks, feeds, cooling}', '400': 'an unknown rack, named' },
    handle(deps, req, res) {
      const b = validate(capacityBody, req.body, 'body');
      res.json(capacityCheck(deps.ctx, deps.automation?.config, b));
    },
  },
];
