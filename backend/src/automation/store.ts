/**
 * The automation's durable state in `automation.db` (SQLite, synchronous=FULL: what a caller was told survives
 * kill -9): the trace of every evaluation and verdict, the leases Plenum holds on plant points (so a restart
 * after a crash hands them back), proposals awaiting an operator, rule versions from the API, and small state
 * (emergency stop, rule modes, breaker locks).
 */
import Database from 'better-sqlite3';
import path from 'node:path';
import type { Actor, Owner } from './guard/verdict';

export interface TraceEntry {
  id?: number;
  /** Unix ms on the run's clock */
  time: number;
  /** evaluation, verdict, write, release, proposal, mode, stop, … */
  kind: string;
  actor: string;
  pointId?: string;
  data: unknown;
}

export interface LeaseRow {
  pointId: string;
  owner: Owner;
  /** the value last written, canonical unit */
  value: number;
  /** the value the point had before Plenum's first write of this lease: what a restore writes back */
  saved: number | null;
  release: 'restore' | 'relinquish';
}

export type ProposalStatus = 'pending' | 'approved' | 'rejected' | 'expired' | 'failed';

export interface Proposal {
  id: number;
  rule: string;
  version: number;
  pointId: string;
  /** canonical unit; null: a release */
  value: number | null;
  from: number | null;
  reason: string;
  priority: number;
  inputs: unknown;
  createdAt: number;
  expiresAt: number;
  status: ProposalStatus;
  decidedBy?: string;
  decidedAt?: number;
  result?: string;
}

export interface RuleVersion {
  id: string;
  version: number;
  /** the rule as validated (RuleConfig) */
  config: unknown;
  createdAt: number;
  by: string;
  /** removed by this version */
  deleted?: boolean;
}

export class AutomationStore {
  private readonly db: Database.Database;

  constructor(dir: string) {
    this.db = new Database(path.join(dir, 'automation.db'));
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS trace (id INTEGER PRIMARY KEY, time INTEGER NOT NULL, kind TEXT NOT NULL,
        actor TEXT NOT NULL, point_id TEXT, data TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS trace_time ON trace(time);
      CREATE TABLE IF NOT EXISTS leases (point_id TEXT PRIMARY KEY, owner TEXT NOT NULL, value REAL NOT NULL,
        saved REAL, release TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS proposals (id INTEGER PRIMARY KEY, rule TEXT NOT NULL, version INTEGER NOT NULL,
        point_id TEXT NOT NULL, value REAL, from_value REAL, reason TEXT NOT NULL, priority INTEGER NOT NULL,
        inputs TEXT NOT NULL, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, status TEXT NOT NULL,
        decided_by TEXT, decided_at INTEGER, result TEXT);
      CREATE TABLE IF NOT EXISTS rules (id TEXT NOT NULL, version INTEGER NOT NULL, config TEXT NOT NULL,
        created_at INTEGER NOT NULL, by TEXT NOT NULL, deleted INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (id, version));
      CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    `);
  }

  trace(e: TraceEntry): number {
    const r = this.db
      .prepare('INSERT INTO trace (time, kind, actor, point_id, data) VALUES (?, ?, ?, ?, ?)')
      .run(e.time, e.kind, e.actor, e.pointId ?? null, JSON.stringify(e.data));
    return Number(r.lastInsertRowid);
  }

  /** newest first; `before` (an entry id) pages back through a long trace */
  traces(opts: { from?: number; to?: number; kind?: string; before?: number; limit?: number } = {}): TraceEntry[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM trace WHERE time >= ? AND time < ? AND id < ? ${opts.kind ? 'AND kind = ?' : ''} ORDER BY id DESC LIMIT ?`,
      )
      .all(
        ...[opts.from ?? 0, opts.to ?? 8.64e15, opts.before ?? Number.MAX_SAFE_INTEGER],
        ...(opts.kind ? [opts.kind] : []),
        opts.limit ?? 200,
      ) as Array<{
      id: number;
      time: number;
      kind: string;
      actor: string;
      point_id: string | null;
      data: string;
    }>;
    return rows.map((r) => ({
      id: r.id,
      time: r.time,
      kind: r.kind,
      actor: r.actor,
      ...(r.point_id !== null && { pointId: r.point_id }),
      data: JSON.parse(r.data) as unknown,
    }));
  }

  putLease(l: LeaseRow): void {
    this.db
      .prepare('INSERT OR REPLACE INTO leases (point_id, owner, value, saved, release) VALUES (?, ?, ?, ?, ?)')
      .run(l.pointId, JSON.stringify(l.owner), l.value, l.saved, l.release);
  }

  deleteLease(pointId: string): void {
    this.db.prepare('DELETE FROM leases WHERE point_id = ?').run(pointId);
  }

  leases(): LeaseRow[] {
    return (
      this.db.prepare('SELECT * FROM leases').all() as Array<{
        point_id: string;
        owner: string;
        value: number;
        saved: number | null;
        release: 'restore' | 'relinquish';
      }>
    ).map((r) => ({
      pointId: r.point_id,
      owner: JSON.parse(r.owner) as Owner,
      value: r.value,
      saved: r.saved,
      release: r.release,
    }));
  }

  addProposal(p: Omit<Proposal, 'id' | 'status'>): Proposal {
    const r = this.db
      .prepare(
        `INSERT INTO proposals (rule, version, point_id, value, from_value, reason, priority, inputs, created_at, expires_at, status)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending')`,
      )
      .run(
        p.rule,
        p.version,
        p.pointId,
        p.value,
        p.from,
        p.reason,
        p.priority,
        JSON.stringify(p.inputs),
        p.createdAt,
        p.expiresAt,
      );
    return { ...p, id: Number(r.lastInsertRowid), status: 'pending' };
  }

  decide(id: number, status: ProposalStatus, by: string, at: number, result?: string): void {
    this.db
      .prepare('UPDATE proposals SET status = ?, decided_by = ?, decided_at = ?, result = ? WHERE id = ?')
      .run(status, by, at, result ?? null, id);
  }

  proposal(id: number): Proposal | undefined {
    const r = this.db.prepare('SELECT * FROM proposals WHERE id = ?').get(id) as ProposalRow | undefined;
    return r && fromProposalRow(r);
  }

  proposals(opts: { status?: ProposalStatus; limit?: number } = {}): Proposal[] {
    const rows = this.db
      .prepare(`SELECT * FROM proposals ${opts.status ? 'WHERE status = ?' : ''} ORDER BY id DESC LIMIT ?`)
      .all(...[...(opts.status ? [opts.status] : []), opts.limit ?? 100]) as ProposalRow[];
    return rows.map(fromProposalRow);
  }

  addRuleVersion(v: RuleVersion): void {
    this.db
      .prepare('INSERT INTO rules (id, version, config, created_at, by, deleted) VALUES (?, ?, ?, ?, ?, ?)')
      .run(v.id, v.version, JSON.stringify(v.config), v.createdAt, v.by, v.deleted ? 1 : 0);
  }

  /** every version of every rule, oldest first */
  ruleVersions(id?: string): RuleVersion[] {
    const rows = this.db
      .prepare(`SELECT * FROM rules ${id ? 'WHERE id = ?' : ''} ORDER BY id, version`)
      .all(...(id ? [id] : [])) as Array<{
      id: string;
      version: number;
      config: string;
      created_at: number;
      by: string;
      deleted: number;
    }>;
    return rows.map((r) => ({
      id: r.id,
      version: r.version,
      config: JSON.parse(r.config) as unknown,
      createdAt: r.created_at,
      by: r.by,
      ...(r.deleted ? { deleted: true } : {}),
    }));
  }

  get<T>(key: string): T | undefined {
    const r = this.db.prepare('SELECT value FROM state WHERE key = ?').get(key) as { value: string } | undefined;
    return r ? (JSON.parse(r.value) as T) : undefined;
  }

  set(key: string, value: unknown): void {
    this.db.prepare('INSERT OR REPLACE INTO state (key, value) VALUES (?, ?)').run(key, JSON.stringify(value));
  }

  close(): void {
    this.db.close();
  }
}

interface ProposalRow {
  id: number;
  rule: string;
  version: number;
  point_id: string;
  value: number | null;
  from_value: number | null;
  reason: string;
  priority: number;
  inputs: string;
  created_at: number;
  expires_at: number;
  status: ProposalStatus;
  decided_by: string | null;
  decided_at: number | null;
  result: string | null;
}

function fromProposalRow(r: ProposalRow): Proposal {
  return {
    id: r.id,
    rule: r.rule,
    version: r.version,
    pointId: r.point_id,
    value: r.value,
    from: r.from_value,
    reason: r.reason,
    priority: r.priority,
    inputs: JSON.parse(r.inputs) as unknown,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    status: r.status,
    ...(r.decided_by !== null && { decidedBy: r.decided_by }),
    ...(r.decided_at !== null && { decidedAt: r.decided_at }),
    ...(r.result !== null && { result: r.result }),
  };
}

export type { Actor };
