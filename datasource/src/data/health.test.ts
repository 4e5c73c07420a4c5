import { API_VERSION } from '@plenum/model';
import { judgeHealth } from './health';

const healthy = {
  status: 'ok' as const,
  version: '0.1.0',
  apiVersion: API_VERSION,
  time: '',
  uptimeSeconds: 5,
  points: 464,
  connectors: [
    { source: 'cooling', connector: 'opcua', state: 'up' as const },
    { source: 'pdus', connector: 'modbus', state: 'up' as const },
  ],
};

describe('judgeHealth', () => {
  it('reports points and connectors of a matching backend', () => {
    expect(judgeHealth(healthy, 'http://p:8080')).toEqual({
      status: 'success',
      message: 'Plenum 0.1.0 at http://p:8080: 464 points, 2/2 connectors up',
    });
  });

  it('names failing sources but still succeeds (the data source itself works)', () => {
    const h = {
      ...healthy,
      connectors: [{ source: 'pdus', connector: 'modbus', state: 'degraded' as const, lastError: 'ECONNREFUSED' }],
    };
    expect(judgeHealth(h, 'u')).toEqual({
      status: 'success',
      message: 'Plenum 0.1.0 at u: 464 points, 0/1 connectors up; pdus degraded (ECONNREFUSED)',
    });
  });

  it('says version mismatch for another API version and "not Plenum" for another server', () => {
    expect(judgeHealth({ ...healthy, apiVersion: API_VERSION + 1 }, 'u').message).toMatch(
      /^version mismatch: .* speaks API v2, this plugin speaks v1/
    );
    expect(judgeHealth({ status: 'ok' } as never, 'http://x')).toEqual({
      status: 'error',
      message: 'http://x answered /api/health but not as a Plenum backend (no apiVersion); check the URL',
    });
  });

  it('knows a hub: its store and points, a failing catalog refresh, and a version mismatch when it reports one', () => {
    const hub = {
      status: 'ok',
      role: 'hub',
      time: '',
      store: { url: 'http://vm:8428', kind: 'victoriametrics' },
      points: 20,
      hub: { points: 20, skippedSeries: 0, storeRequests: 3 },
    };
    expect(judgeHealth(hub as never, 'http://hub:8080')).toEqual({
      status: 'success',
      message: 'Plenum hub at http://hub:8080 over victoriametrics at http://vm:8428: 20 points',
    });
    const failing = { ...hub, status: 'degraded', hub: { ...hub.hub, lastRefreshError: 'fetch failed' } };
    expect(judgeHealth(failing as never, 'u').message).toBe(
      'Plenum hub at u over victoriametrics at http://vm:8428: 20 points; catalog refresh failing (fetch failed)'
    );
    expect(judgeHealth({ ...hub, apiVersion: API_VERSION + 1 } as never, 'u')).toMatchObject({
      status: 'error',
      message: expect.stringMatching(/^version mismatch: the hub at u speaks API v2/),
    });
  });
});
