import { backendTime, commandKey, commandLabel, commandRequest, eventsRequest, statusRequest } from './requests';

describe('requests', () => {
  it('reads through the data source’s read route', () => {
    expect(statusRequest('plenum')).toEqual({
      method: 'GET',
      url: '/api/datasources/proxy/uid/plenum/plenum/api/automation',
    });
    expect(statusRequest('a b/c').url).toBe('/api/datasources/proxy/uid/a%20b%2Fc/plenum/api/automation');
  });

  it('asks for the automation events and alarms of the range, relative times as written', () => {
    const from = Date.UTC(2025, 0, 1);
    const to = from + 3600_000;
    expect(eventsRequest('plenum', { from, to, raw: { from: 'now-1h', to: 'now' } }, 20)).toEqual({
      method: 'GET',
      url: '/api/datasources/proxy/uid/plenum/plenum/api/events',
      params: { type: 'automation,alarm', tags: 'automation', from: 'now-1h', to: 'now', limit: 20 },
    });
    // absolute ranges, and relative ones the backend does not read (Grafana's rounding, months), go as ms
    const abs = eventsRequest('plenum', { from, to, raw: { from: 'now/d', to: { valueOf: () => to } } }, 5);
    expect(abs.params).toMatchObject({ from: String(from), to: String(to) });
  });

  it('reads the backend’s relative times only', () => {
    expect(backendTime('now-6h', 0)).toBe('now-6h');
    expect(backendTime(' now ', 0)).toBe('now');
    expect(backendTime('now-2M', 123.4)).toBe('123');
    expect(backendTime(undefined, 99)).toBe('99');
  });

  it('sends every command on the operate route, with the body the backend validates', () => {
    const uid = 'plenum';
    const base = '/api/datasources/proxy/uid/plenum/plenum-operate/api/automation';
    expect(commandRequest(uid, { kind: 'mode', rule: 'inlet-high', mode: 'approve' })).toEqual({
      method: 'POST',
      url: `${base}/rules/inlet-high/mode`,
      data: { mode: 'approve' },
    });
    expect(commandRequest(uid, { kind: 'approve', id: 7 })).toEqual({
      method: 'POST',
      url: `${base}/proposals/7/approve`,
      data: {},
    });
    expect(commandRequest(uid, { kind: 'reject', id: 7, reason: 'maintenance' }).data).toEqual({
      reason: 'maintenance',
    });
    expect(commandRequest(uid, { kind: 'reject', id: 7 }).data).toEqual({});
    expect(commandRequest(uid, { kind: 'stop' }).url).toBe(`${base}/stop`);
    expect(commandRequest(uid, { kind: 'resume' }).url).toBe(`${base}/resume`);
  });

  it('names each command and its target', () => {
    expect(commandLabel({ kind: 'mode', rule: 'r', mode: 'auto' })).toBe('setting rule r to auto');
    expect(commandLabel({ kind: 'approve', id: 3 })).toBe('approving proposal #3');
    expect(commandLabel({ kind: 'stop' })).toBe('the emergency stop');
    expect(commandKey({ kind: 'reject', id: 3 })).toBe(commandKey({ kind: 'approve', id: 3 }));
    expect(commandKey({ kind: 'mode', rule: 'r', mode: 'auto' })).toBe('mode:r');
  });
});
