import { DatasourceStore } from './datasource-store';
import type { DatasourceDto } from './types';

function store() {
  return new DatasourceStore([
    {
      uid: 'ds1',
      name: 'Plenum',
      type: 'plenum-itot-datasource',
      jsonData: { url: 'http://x' },
      secureJsonData: { apiToken: 'tok', other: 'o' },
    },
    { uid: 'ds2', name: 'Second', type: 't', readOnly: true },
  ]);
}

function put(s: DatasourceStore, body: Record<string, unknown>) {
  return s.update('ds1', { name: 'Plenum', access: 'proxy', ...body });
}

describe('DatasourceStore', () => {
  it('reports secrets as secureJsonFields and never returns their values', () => {
    const s = store();
    const dto = s.get('ds1') as DatasourceDto;
    expect(dto.secureJsonFields).toEqual({ apiToken: true, other: true });
    expect(JSON.stringify(s.list())).not.toContain('tok');
    expect(JSON.stringify(dto)).not.toContain('secureJsonData');
  });

  it('keeps a secret absent from the PUT, replaces a given one and drops one set to empty', () => {
    const s = store();
    const answer = put(s, { jsonData: { url: 'http://y' }, secureJsonData: { apiToken: 'new', other: '' } });
    expect(answer.status).toBe(200);
    expect(JSON.stringify(answer.body)).not.toContain('new');
    expect(s.internal('ds1')?.secrets).toEqual({ apiToken: 'new', other: '' });
    expect(s.get('ds1')?.secureJsonFields).toEqual({ apiToken: true });
    expect(s.get('ds1')?.jsonData).toEqual({ url: 'http://y' });

    put(s, { jsonData: {} });
    expect(s.internal('ds1')?.secrets.apiToken).toBe('new');
  });

  it('answers like Grafana: the updated settings with a message, and a bumped version', () => {
    const s = store();
    const answer = put(s, { version: 1 });
    expect(answer.body).toMatchObject({
      message: 'Datasource updated',
      id: 1,
      name: 'Plenum',
      datasource: { version: 2 },
    });
  });

  it('rejects a stale version, a read-only source, an unknown uid and a malformed body', () => {
    const s = store();
    put(s, {});
    expect(put(s, { version: 1 }).status).toBe(409);
    expect(s.update('ds2', { name: 'Second', access: 'proxy' }).status).toBe(403);
    expect(s.update('nope', { name: 'x', access: 'proxy' }).status).toBe(404);
    expect(s.update('ds1', { access: 'proxy' }).status).toBe(400);
    expect(put(s, { secureJsonData: { apiToken: 5 } }).status).toBe(400);
    expect(put(s, { name: 'Second' }).status).toBe(409);
  });

  it('returns copies, so a caller cannot change what is stored', () => {
    const s = store();
    (s.get('ds1') as DatasourceDto).jsonData.url = 'changed';
    expect(s.get('ds1')?.jsonData.url).toBe('http://x');
  });
});
