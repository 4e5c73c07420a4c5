import plugin from './plugin.json';
import { OPERATE_ROUTE, PROXY_ROUTE } from './types';

/**
 * The proxy routes as Grafana's data source proxy reads them: it takes the FIRST route whose path is a prefix of the
 * request path (so `plenum` would also match `plenum-operate/…`), checks its `reqRole`, and adds its headers.
 */
describe('plugin.json routes', () => {
  const routes = plugin.routes as Array<{
    path: string;
    reqRole?: string;
    headers: Array<{ name: string; content: string }>;
  }>;
  const first = (path: string) => routes.find((r) => path.startsWith(r.path));

  it('sends the operate token only on the operate route, which Editors and above may use', () => {
    const operate = first(`${OPERATE_ROUTE}/api/automation/stop`)!;
    expect(operate.path).toBe(OPERATE_ROUTE);
    expect(operate.reqRole).toBe('Editor');
    expect(operate.headers).toEqual([{ name: 'Authorization', content: 'Bearer {{ .SecureJsonData.operateToken }}' }]);
  });

  it('keeps the read route open to every signed-in user, with the read token', () => {
    const read = first(`${PROXY_ROUTE}/api/automation`)!;
    expect(read.path).toBe(PROXY_ROUTE);
    expect(read.reqRole).toBeUndefined();
    expect(read.headers).toEqual([{ name: 'Authorization', content: 'Bearer {{ .SecureJsonData.apiToken }}' }]);
  });

  it('never puts a token in jsonData templates', () => {
    expect(JSON.stringify(routes)).not.toMatch(/(?<!Secure)JsonData\.(apiToken|operateToken)/);
    expect(
      JSON.stringify(routes)
        .match(/SecureJsonData\.\w+/g)
        ?.sort()
    ).toEqual(['SecureJsonData.apiToken', 'SecureJsonData.operateToken']);
  });
});
