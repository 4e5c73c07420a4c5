/**
 * The automation engine: runs every rule and controller once a second (wall time), applies their decisions by
 * mode — observe (the trace only), dry-run ("would write", as events), approve (a proposal waits for an operator,
 * with expiry), auto (through the guard) — renews the leases of what a rule still wants and hands back what it no
 * longer wants, and serves the API (modes, proposals, rules with versions, manual writes, emergency stop).
 */
import type { NewEvent, Point } from '@plenum/model';
import type { Catalog } from '../catalog/catalog';
import { globToRegExp } from '../catalog/glob';
import { errorMessage, PlenumError } from '../common/errors';
import type { SourceStatus } from '../connectors/runner';
import { MODES, RuleSchema, type AutomationConfig, type Mode, type RuleConfig } from './config';
import { CONTROLLERS } from './controllers';
import type { Decider, Decision, DecisionView, JobInfo, PredictionInfo } from './decider';
import type { Guard, GuardResult } from './guard/guard';
import { actorName, type Actor, type InputSample, type WriteIntent } from './guard/verdict';
import type { Notifier } from './notify';
import { RuleDecider } from './rules/rule';
import type { AutomationStore, Proposal } from './store';
import { validateRules } from './validate';

export interface EngineDeps {
  config: AutomationConfig;
  site: { id: string; hall: string; racks: () => ReturnType<DecisionView['racks']> };
  catalog: Catalog;
  guard: Guard;
  store: AutomationStore;
  notifier: Notifier;
  latest(pointId: string): InputSample;
  sources(): SourceStatus[];
  addEvent(e: Omit<NewEvent, 'time'>): void;
  now(): number;
  log(message: string): void;
  /** every point the rules may name (configured and virtual ones such as rack power limits) */
  points(): Point[];
  /** open predictions (prediction triggers); @default none */
  predictions?(): PredictionInfo[];
}

interface Runtime {
  config: RuleConfig;
  version: number;
  actor: Actor;
  decider: Decider;
  /** where the rule's version comes from */
  origin: 'file' | 'api';
  last?: Decision;
  lastTraceAt?: number;
  lastSummary?: string;
  /** job transitions not yet seen by this rule */
  jobs: JobInfo[];
  /** dry-run: the last "would write" per point, to report changes only */
  wouldWrite: Map<string, string>;
  /**
   * approve: the value an operator rejected per point. Not proposed again while the rule keeps wanting it — a
   * rejection would otherwise come back as the same proposal a second later; forgotten when the rule's condition
   * clears or it wants another value.
   */
  rejected: Map<string, number>;
  error?: string;
}

export interface RuleStatus {
  id: string;
  version: number;
  origin: 'file' | 'api';
  description?: string;
  mode: Mode;
  priority: number;
  kind: string;
  active: boolean;
  summary: string;
  locked: boolean;
  holds: string[];
  error?: string;
}

/** how often an unchanged evaluation is traced anyway, ms (the trace records every change of decision) */
const TRACE_UNCHANGED_MS = 60_000;

export class AutomationEngine {
  private readonly rules = new Map<string, Runtime>();
  private timer?: NodeJS.Timeout;
  private ticking = false;
  private openJobs = new Map<string, JobInfo>();
  private readonly sinceState = new Map<string, { state: SourceStatus['state']; since: number }>();

  constructor(private readonly d: EngineDeps) {
    const fileRules = new Map(d.config.rules.map((r) => [r.id, r]));
    const stored = new Map<string, { version: number; config: unknown; deleted?: boolean }>();
    for (const v of d.store.ruleVersions()) stored.set(v.id, v);
    for (const [id, r] of fileRules) if (!stored.has(id)) this.install(r, 1, 'file');
    for (const [id, v] of stored) {
      if (v.deleted) continue;
      const parsed = RuleSchema.safeParse(v.config);
      if (parsed.success) this.install(parsed.data, v.version, 'api');
      else d.log(`automation: stored version ${v.version} of rule "${id}" no longer validates; skipped`);
    }
  }

  private install(config: RuleConfig, version: number, origin: 'file' | 'api'): void {
    const factory = config.controller ? CONTROLLERS[config.controller] : undefined;
    const decider: Decider = factory
      ? factory(config, this.controllerContext())
      : new RuleDecider(config, this.d.site.id);
    this.rules.set(config.id, {
      config,
      version,
      actor: { kind: config.controller ? 'controller' : 'rule', id: config.id, version },
      decider,
      origin,
      jobs: [],
      wouldWrite: new Map(),
      rejected: new Map<string, number>(),
    });
  }

  private controllerContext() {
    return { site: this.d.site.id, hall: this.d.site.hall, points: () => this.d.points(), config: this.d.config };
  }

  /** the mode a rule runs in: the operator's choice (durable), else its config; observe while stopped */
  modeOf(id: string): Mode {
    if (this.d.guard.isStopped) return 'observe';
    const set = this.d.store.get<Mode>(`mode:${id}`);
    return set ?? this.rules.get(id)?.config.mode ?? 'observe';
  }

  start(everyMs = 1000): void {
    this.timer = setInterval(() => {
      if (this.ticking) return;
      this.ticking = true;
      void this.tick()
        .catch((err: unknown) => this.d.log(`automation: evaluation failed: ${errorMessage(err)}`))
        .finally(() => (this.ticking = false));
    }, everyMs);
  }

  /** A job transition from the scheduler's webhook: every rule sees it at its next evaluation. */
  onJob(job: JobInfo): void {
    if (job.phase === 'end') this.openJobs.delete(job.id);
    else this.openJobs.set(job.id, job);
    for (const r of this.rules.values()) r.jobs.push(job);
  }

  private view(r: Runtime, now: number): DecisionView {
    const catalog = this.d.catalog;
    return {
      now,
      latest: (id) => this.d.latest(id),
      select: (ids) => {
        const fromCatalog = catalog.select({ ids: [...ids] });
        // virtual points (rack power limits) are not in the catalog
        const virtual = this.d
          .points()
          .filter((p) => !catalog.get(p.id) && ids.some((g) => globToRegExp(g).test(p.id)));
        return [...fromCatalog, ...virtual];
      },
      racks: () => this.d.site.racks(),
      sourceState: (name) => this.sinceState.get(name),
      jobs: r.jobs.splice(0),
      openJobs: [...this.openJobs.values()],
      held: this.d.guard.held(r.actor),
      limits: (id) => this.d.guard.limitsOf(id),
      predictions: this.d.predictions?.() ?? [],
    };
  }

  /** One evaluation of every rule, then leases and proposals past their time. */
  async tick(): Promise<void> {
    const now = this.d.now();
    for (const s of this.d.sources()) {
      const prev = this.sinceState.get(s.source);
      if (prev?.state !== s.state) this.sinceState.set(s.source, { state: s.state, since: now });
    }
    for (const r of this.rules.values()) {
      try {
        await this.evaluate(r, now);
        r.error = undefined;
      } catch (err) {
        r.error = errorMessage(err);
        this.d.log(`automation: rule "${r.config.id}": ${r.error}`);
      }
    }
    await this.d.guard.expire();
    for (const p of this.d.store.proposals({ status: 'pending' })) {
      if (p.expiresAt <= now) {
        this.d.store.decide(p.id, 'expired', 'system:engine', now);
        this.d.addEvent(this.proposalEvent(p, 'expired', 'nobody approved it in time'));
      }
    }
  }

  private async evaluate(r: Runtime, now: number): Promise<void> {
    const mode = this.modeOf(r.config.id);
    const decision = r.decider.decide(this.view(r, now));
    r.last = decision;
    const key = JSON.stringify([
      decision.active,
      decision.writes.map((w) => [w.pointId, Math.round(w.value * 1000)]),
      decision.release,
    ]);
    if (key !== r.lastSummary || now - (r.lastTraceAt ?? 0) >= TRACE_UNCHANGED_MS) {
      this.d.store.trace({
        time: now,
        kind: 'evaluation',
        actor: actorName(r.actor),
        data: {
          mode,
          active: decision.active,
          summary: decision.summary,
          writes: decision.writes,
          release: decision.release,
          inputs: decision.inputs,
        },
      });
      r.lastSummary = key;
      r.lastTraceAt = now;
    }
    if (mode === 'observe') return;
    const intent = (w: Decision['writes'][number]): WriteIntent => ({
      pointId: w.pointId,
      value: w.value,
      actor: r.actor,
      priority: r.config.priority,
      reason: w.reason,
      inputs: w.inputs,
    });
    if (mode === 'dry-run') {
      for (const w of decision.writes) {
        const v = this.d.guard.judge(intent(w));
        const note = `${Math.round(w.value * 1000) / 1000}|${v.allow ? 'allow' : v.code}`;
        if (r.wouldWrite.get(w.pointId) === note) continue;
        r.wouldWrite.set(w.pointId, note);
        this.d.addEvent({
          type: 'automation',
          severity: 'info',
          title:
            `dry-run ${actorName(r.actor)} would write ${w.pointId.split('/').slice(-2).join('/')} = ${Math.round(w.value * 1000) / 1000}${v.allow ? '' : ` (the guard would refuse: ${v.reason})`}`.slice(
              0,
              250,
            ),
          text: w.reason,
          pointId: w.pointId,
          tags: ['automation', 'dry-run'],
          source: 'automation',
          data: { actor: r.actor, intent: intent(w), verdict: v, mode },
        });
      }
      for (const n of decision.notify)
        this.d.addEvent({
          type: 'automation',
          severity: 'info',
          title: `dry-run ${actorName(r.actor)} would notify (${n.kind}): ${n.title ?? ''}`.slice(0, 250),
          tags: ['automation', 'dry-run'],
          source: 'automation',
          data: { notification: n },
        });
      return;
    }
    // what can be written now toward each wanted value: step, slew and dwell shape the way there, the guard
    // judges every step (a rule asking 20 → 16 °C with maxStep 1 moves 1 K at a time, not refused forever)
    const steps = (): Array<Decision['writes'][number]> =>
      decision.writes.flatMap((w) => {
        // a point another actor of the same or higher priority holds is theirs: this rule yields (no refusal
        // per tick) and takes the point again once they hand it back
        const owner = this.d.guard.ownerOf(w.pointId);
        if (owner && actorName(owner.actor) !== actorName(r.actor) && owner.priority <= r.config.priority) return [];
        const held = this.d.guard.held(r.actor).includes(w.pointId);
        const at = this.d.guard.heldValue(w.pointId);
        // a point held at the wanted value only needs its lease renewed (the reading may lag the write)
        if (held && at !== undefined && Math.abs(at - w.value) < 1e-6) return [];
        const next = this.d.guard.nextStep(w.pointId, w.value);
        if ('wait' in next) return [];
        return Math.abs(next.value - w.value) < 1e-9
          ? [w]
          : [{ ...w, value: next.value, reason: `${w.reason}; a step toward ${Math.round(w.value * 1000) / 1000}` }];
      });
    if (mode === 'approve') {
      const pending = this.d.store.proposals({ status: 'pending' }).filter((p) => p.rule === r.config.id);
      if (!decision.active) r.rejected.clear();
      // one proposal per point at a time: each step of a way there is approved on its own
      for (const w of steps()) {
        if (pending.some((p) => p.pointId === w.pointId)) continue;
        const no = r.rejected.get(w.pointId);
        if (no !== undefined && Math.abs(no - w.value) < 1e-6) continue;
        r.rejected.delete(w.pointId);
        const cur = this.d.latest(w.pointId);
        const p = this.d.store.addProposal({
          rule: r.config.id,
          version: r.version,
          pointId: w.pointId,
          value: w.value,
          from: typeof cur.value === 'number' ? cur.value : null,
          reason: w.reason,
          priority: r.config.priority,
          inputs: w.inputs,
          createdAt: now,
          expiresAt: now + this.d.config.guard.approvalExpiry,
        });
        this.d.addEvent(this.proposalEvent(p, 'pending', w.reason));
      }
    } else {
      for (const w of steps()) await this.d.guard.write(intent(w));
      for (const n of decision.notify) await this.d.notifier.send(r.config, n);
    }
    this.d.guard.renew(r.actor);
    for (const p of decision.release)
      await this.d.guard.release(p, r.actor, `${actorName(r.actor)} no longer wants it (${decision.summary})`);
  }

  private proposalEvent(p: Proposal, status: string, why: string): Omit<NewEvent, 'time'> {
    const to = p.value === null ? 'hand back' : String(Math.round(p.value * 1000) / 1000);
    return {
      type: 'automation',
      severity: status === 'pending' ? 'warning' : 'info',
      title:
        `proposal #${p.id} ${status}: rule ${p.rule} → ${p.pointId.split('/').slice(-2).join('/')} ${p.from === null ? '?' : Math.round(p.from * 1000) / 1000} → ${to}`.slice(
          0,
          250,
        ),
      text: why,
      pointId: p.pointId,
      tags: ['automation', 'proposal', status],
      source: 'automation',
      data: { proposal: p },
    };
  }

  // ── API ──

  status(): { stopped: boolean; rules: RuleStatus[] } {
    return {
      stopped: this.d.guard.isStopped,
      rules: [...this.rules.values()].map((r) => ({
        id: r.config.id,
        version: r.version,
        origin: r.origin,
        ...(r.config.description && { description: r.config.description }),
        mode: this.modeOf(r.config.id),
        priority: r.config.priority,
        kind: r.config.controller ?? (r.config.when ? (Object.keys(r.config.when)[0] ?? 'rule') : 'rule'),
        active: r.last?.active ?? false,
        summary: r.last?.summary ?? 'not evaluated yet',
        locked: this.d.guard.isLocked(r.actor),
        holds: this.d.guard.held(r.actor),
        ...(r.error && { error: r.error }),
      })),
    };
  }

  rule(id: string): Runtime {
    const r = this.rules.get(id);
    if (!r)
      throw new PlenumError('query', `rule: no rule "${id}"; rules: ${[...this.rules.keys()].join(', ') || 'none'}`);
    return r;
  }

  async setMode(id: string, mode: Mode, by: Actor): Promise<void> {
    const r = this.rule(id);
    if (!MODES.includes(mode)) throw new PlenumError('query', `mode: expected one of ${MODES.join(', ')}`);
    if (this.d.guard.isStopped && mode !== 'observe')
      throw new PlenumError('query', 'mode: automation is stopped; resume it first (POST /api/automation/resume)');
    const prev = this.modeOf(id);
    this.d.store.set(`mode:${id}`, mode);
    this.d.guard.unlock(r.actor);
    this.d.store.trace({
      time: this.d.now(),
      kind: 'mode',
      actor: actorName(by),
      data: { rule: id, from: prev, to: mode },
    });
    this.d.addEvent({
      type: 'automation',
      severity: 'info',
      title: `rule ${id}: ${prev} → ${mode} by ${actorName(by)}`,
      tags: ['automation', 'mode'],
      source: 'automation',
      data: { rule: id, from: prev, to: mode, actor: by },
    });
    if (mode !== 'auto' && mode !== 'approve') await this.d.guard.releaseAll(r.actor, by, `rule ${id} set to ${mode}`);
  }

  async approve(id: number, by: Actor): Promise<GuardResult> {
    const p = this.d.store.proposal(id);
    if (!p) throw new PlenumError('query', `proposal: no proposal #${id}`);
    if (p.status !== 'pending')
      throw new PlenumError('query', `proposal #${id} is ${p.status}; only a pending proposal can be approved`);
    const now = this.d.now();
    if (p.expiresAt <= now) {
      this.d.store.decide(id, 'expired', 'system:engine', now);
      throw new PlenumError('query', `proposal #${id} expired at ${new Date(p.expiresAt).toISOString()}`);
    }
    const r = this.rule(p.rule);
    // judged again now: the plant may have moved since it was proposed
    const res = await this.d.guard.write({
      pointId: p.pointId,
      value: p.value,
      actor: r.actor,
      priority: p.priority,
      reason: `${p.reason}; approved by ${actorName(by)}`,
      // the inputs the rule decided on, as they read now: a sensor gone bad or stale since the proposal stops it
      inputs: (Array.isArray(p.inputs) ? (p.inputs as InputSample[]) : []).map((i) => this.d.latest(i.pointId)),
    });
    const ok = res.verdict.allow && res.error === undefined;
    this.d.store.decide(
      id,
      ok ? 'approved' : 'failed',
      actorName(by),
      now,
      ok ? undefined : res.verdict.allow ? res.error : res.verdict.reason,
    );
    this.d.addEvent(
      this.proposalEvent(
        { ...p, status: ok ? 'approved' : 'failed' },
        ok ? 'approved' : 'failed',
        `by ${actorName(by)}${ok ? '' : `: ${res.verdict.allow ? res.error : res.verdict.reason}`}`,
      ),
    );
    return res;
  }

  reject(id: number, by: Actor, reason = ''): void {
    const p = this.d.store.proposal(id);
    if (!p) throw new PlenumError('query', `proposal: no proposal #${id}`);
    if (p.status !== 'pending')
      throw new PlenumError('query', `proposal #${id} is ${p.status}; only a pending proposal can be rejected`);
    this.d.store.decide(id, 'rejected', actorName(by), this.d.now(), reason || undefined);
    if (p.value !== null) this.rules.get(p.rule)?.rejected.set(p.pointId, p.value);
    this.d.addEvent(
      this.proposalEvent({ ...p, status: 'rejected' }, 'rejected', `by ${actorName(by)}${reason ? `: ${reason}` : ''}`),
    );
  }

  /** Emergency stop: every rule to observe (durable), every lease handed back; answers at once. */
  stop(by: Actor): { leases: number; rules: number } {
    const { leases } = this.d.guard.emergencyStop(by);
    for (const id of this.rules.keys()) this.d.store.set(`mode:${id}`, 'observe');
    return { leases, rules: this.rules.size };
  }

  resume(by: Actor): void {
    this.d.guard.resume(by);
  }

  /** A new version of a rule (admin): validated against the site, stored, replacing the running one. */
  async putRule(input: unknown, by: Actor): Promise<RuleStatus> {
    const parsed = RuleSchema.safeParse(input);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      throw new PlenumError(
        'query',
        `rule.${first?.path.join('.') || ''}: ${first?.message ?? 'invalid'}`.replace(/\.:/, ':'),
      );
    }
    const rule = parsed.data;
    const others = [...this.rules.values()].filter((r) => r.config.id !== rule.id).map((r) => r.config);
    const problems = validateRules([...others, rule], this.d.points(), this.d.config.points);
    const mine = problems.filter((p) => p.rule === rule.id);
    if (mine.length)
      throw new PlenumError('query', mine.map((p) => `rule "${p.rule}" ${p.field}: ${p.message}`).join('; '));
    const prev = this.rules.get(rule.id);
    const version = Math.max(prev?.version ?? 0, ...this.d.store.ruleVersions(rule.id).map((v) => v.version)) + 1;
    this.d.store.addRuleVersion({ id: rule.id, version, config: rule, createdAt: this.d.now(), by: actorName(by) });
    if (prev) await this.d.guard.releaseAll(prev.actor, by, `rule ${rule.id} replaced by version ${version}`);
    this.install(rule, version, 'api');
    this.d.addEvent({
      type: 'automation',
      severity: 'info',
      title: `rule ${rule.id} version ${version} by ${actorName(by)}`,
      tags: ['automation', 'rule'],
      source: 'automation',
      data: { rule, version, actor: by },
    });
    return this.status().rules.find((r) => r.id === rule.id) as RuleStatus;
  }

  async deleteRule(id: string, by: Actor): Promise<void> {
    const r = this.rule(id);
    const version = Math.max(r.version, ...this.d.store.ruleVersions(id).map((v) => v.version)) + 1;
    this.d.store.addRuleVersion({
      id,
      version,
      config: r.config,
      createdAt: this.d.now(),
      by: actorName(by),
      deleted: true,
    });
    await this.d.guard.releaseAll(r.actor, by, `rule ${id} deleted`);
    this.rules.delete(id);
  }

  versions(id: string) {
    this.rule(id);
    return this.d.store.ruleVersions(id);
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    for (let i = 0; this.ticking && i < 100; i++) await new Promise((r) => setTimeout(r, 20));
  }
}
