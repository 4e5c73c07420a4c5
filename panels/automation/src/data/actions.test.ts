import { actionRows, actorName, toAction } from './actions';
import type { AutomationEvent } from './model';

/** Events shaped as the backend records them (backend/src/automation/engine.ts and guard/guard.ts). */
const ev = (id: number, patch: Partial<AutomationEvent>): AutomationEvent => ({
  id,
  time: 1_000_000 + id * 1000,
  type: 'automation',
  severity: 'info',
  title: `event ${id}`,
  tags: ['automation'],
  source: 'automation',
  ...patch,
});
const rule = { kind: 'rule', id: 'inlet-high', version: 2 };
const operator = { kind: 'operator', id: 'operate/alice' };
const SETPOINT = 'sim/hall1/-/-/crah1/supply_setpoint';

describe('toAction', () => {
  it('reads a guard write: actor, point, before → after, written', () => {
    const row = toAction(
      ev(1, {
        title: 'rule:inlet-high@v2 writes: crah1/supply_setpoint 18 → 17',
        text: 'inlet A03 above 27; approved by operator:operate/alice',
        tags: ['automation', 'write', 'rule'],
        data: {
          actor: rule,
          intent: { pointId: SETPOINT, value: 17, actor: rule, priority: 5, reason: 'x', inputs: [] },
          verdict: { allow: true, checks: ['bounds'] },
          from: 18,
        },
      })
    );
    expect(row).toMatchObject({
      kind: 'write',
      actor: 'rule:inlet-high@v2',
      target: 'crah1/supply_setpoint',
      pointId: SETPOINT,
      before: '18',
      after: '17',
      verdict: 'written',
      tone: 'ok',
      detail: 'inlet A03 above 27; approved by operator:operate/alice',
    });
  });

  it('reads a refusal with the guard’s code and reason, and a release as a hand-back', () => {
    const refused = toAction(
      ev(2, {
        severity: 'warning',
        tags: ['automation', 'refused', 'operator'],
        data: {
          actor: operator,
          intent: { pointId: SETPOINT, value: 30 },
          verdict: { allow: false, code: 'bounds', reason: '30 is above the upper bound 24' },
          from: 18,
        },
      })
    );
    expect(refused).toMatchObject({
      kind: 'refused',
      actor: 'operator:operate/alice',
      verdict: 'refused (bounds): 30 is above the upper bound 24',
      tone: 'warn',
    });
    const release = (id: number, reason: string) =>
      toAction(
        ev(id, {
          tags: ['automation', 'write', 'operator'],
          data: {
            actor: operator,
            intent: { pointId: SETPOINT, value: null, reason },
            verdict: { allow: true },
            from: 17,
          },
        })
      );
    expect(release(3, 'emergency stop; relinquish to the BMS (held by rule:x@v1)')).toMatchObject({
      kind: 'release',
      before: '17',
      after: 'BMS',
      verdict: 'handed back to the BMS',
    });
    expect(release(30, 'emergency stop; restore 18.5 (held by rule:x@v1)')).toMatchObject({
      kind: 'release',
      after: '18.5',
      verdict: 'handed back (restored)',
    });
  });

  it('reads proposals: the rule proposes, the operator in the text decides', () => {
    const proposal = {
      id: 4,
      rule: 'inlet-high',
      version: 2,
      pointId: SETPOINT,
      value: 17,
      from: 18,
      status: 'pending',
    };
    const pending = toAction(
      ev(4, { severity: 'warning', tags: ['automation', 'proposal', 'pending'], data: { proposal } })
    );
    expect(pending).toMatchObject({
      kind: 'proposal',
      actor: 'rule:inlet-high@v2',
      before: '18',
      after: '17',
      verdict: 'proposal #4 pending',
      tone: 'warn',
    });
    const approved = toAction(
      ev(5, {
        text: 'by operator:operate/alice',
        tags: ['automation', 'proposal', 'approved'],
        data: { proposal: { ...proposal, status: 'approved' } },
      })
    );
    expect(approved).toMatchObject({ actor: 'operator:operate/alice', verdict: 'proposal #4 approved', tone: 'ok' });
    const failed = toAction(
      ev(6, {
        text: 'by operator:operate/bob: owned by controller:feed-forward@v1',
        tags: ['automation', 'proposal', 'failed'],
        data: { proposal: { ...proposal, status: 'failed' } },
      })
    );
    expect(failed).toMatchObject({ actor: 'operator:operate/bob', tone: 'bad' });
  });

  it('reads mode changes, the emergency stop, resume and rule versions', () => {
    expect(
      toAction(
        ev(7, {
          tags: ['automation', 'mode'],
          data: { rule: 'inlet-high', from: 'observe', to: 'approve', actor: operator },
        })
      )
    ).toMatchObject({
      kind: 'mode',
      target: 'rule inlet-high',
      before: 'observe',
      after: 'approve',
      actor: 'operator:operate/alice',
    });
    expect(
      toAction(ev(8, { severity: 'critical', tags: ['automation', 'stop'], data: { actor: operator, leases: 3 } }))
    ).toMatchObject({ kind: 'stop', verdict: 'emergency stop: 3 points handed back', tone: 'bad' });
    expect(toAction(ev(9, { tags: ['automation', 'stop'], data: { actor: operator, leases: 1 } })).verdict).toBe(
      'emergency stop: 1 point handed back'
    );
    expect(toAction(ev(10, { tags: ['automation', 'resume'], data: { actor: operator } }))).toMatchObject({
      kind: 'resume',
      tone: 'ok',
    });
    expect(
      toAction(
        ev(11, {
          tags: ['automation', 'rule'],
          data: { rule: { id: 'e2e' }, version: 3, actor: { kind: 'operator', id: 'admin' } },
        })
      )
    ).toMatchObject({ kind: 'rule', target: 'rule e2e', after: 'version 3', actor: 'operator:admin' });
  });

  it('reads dry-run events and automation alarms, and keeps the title of anything else', () => {
    expect(
      toAction(
        ev(12, {
          tags: ['automation', 'dry-run'],
          data: {
            actor: rule,
            intent: { pointId: SETPOINT, value: 17 },
            verdict: { allow: false, code: 'dwell', reason: 'too soon' },
          },
        })
      )
    ).toMatchObject({ kind: 'dry-run', after: '17', verdict: 'would be refused (dwell): too soon' });
    expect(
      toAction(
        ev(13, {
          type: 'alarm',
          severity: 'critical',
          title: 'circuit breaker: rule:x@v1 locked',
          tags: ['automation', 'breaker'],
          data: { actor: rule },
        })
      )
    ).toMatchObject({ kind: 'alarm', verdict: 'alarm (critical)', tone: 'bad', actor: 'rule:inlet-high@v2' });
    expect(toAction(ev(14, { title: 'something new', tags: ['automation', 'future'] }))).toMatchObject({
      kind: 'other',
      title: 'something new',
      verdict: 'info',
    });
  });
});

describe('actionRows', () => {
  const events = [
    ev(1, {
      tags: ['automation', 'dry-run'],
      data: { intent: { pointId: SETPOINT, value: 1 }, verdict: { allow: true } },
    }),
    ev(3, { tags: ['automation', 'resume'] }),
    ev(2, { tags: ['automation', 'stop'], data: { leases: 0 } }),
  ];
  it('lists the newest first, dry-run only when wanted, at most the limit', () => {
    expect(actionRows(events, { showDryRun: true, limit: 10 }).map((r) => r.id)).toEqual([3, 2, 1]);
    expect(actionRows(events, { showDryRun: false, limit: 10 }).map((r) => r.id)).toEqual([3, 2]);
    expect(actionRows(events, { showDryRun: true, limit: 1 }).map((r) => r.id)).toEqual([3]);
  });
  it('names actors as the backend does', () => {
    expect(actorName({ kind: 'rule', id: 'r', version: 1 })).toBe('rule:r@v1');
    expect(actorName({ kind: 'system', id: 'guard' })).toBe('system:guard');
    expect(actorName('operator:x')).toBe('operator:x');
    expect(actorName(42)).toBeUndefined();
  });
});
