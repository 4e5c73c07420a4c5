import {
  cleanRelativePath,
  joinUrlFragments,
  matchRoute,
  routeTarget,
  shadowedRoute,
  type PluginRoute,
} from './proxy-routes';

const data = { JsonData: { url: 'http://up:8080/base/' }, SecureJsonData: { apiToken: 'tok' } };

describe('cleanRelativePath', () => {
  it('resolves dot segments without climbing above the root', () => {
    expect(cleanRelativePath('api/v1/../query')).toBe('api/query');
    expect(cleanRelativePath('../../etc/passwd')).toBe('etc/passwd');
    expect(cleanRelativePath('//api//x/')).toBe('api/x');
    expect(cleanRelativePath('')).toBe('');
    expect(cleanRelativePath('/')).toBe('');
  });
});

describe('matchRoute', () => {
  const routes: PluginRoute[] = [
    { path: 'api', method: 'POST', url: 'http://post' },
    { path: 'api', url: 'http://any' },
    { path: 'api/admin', url: 'http://admin' },
    { path: 'metrics', method: '*', url: 'http://metrics' },
  ];

  it('picks the first route in plugin.json order whose method and path prefix match, as Grafana does', () => {
    expect(matchRoute(routes, 'api/query', 'POST')?.url).toBe('http://post');
    expect(matchRoute(routes, 'api/query', 'GET')?.url).toBe('http://any');
    // Grafana never reaches the longer route listed after a shorter one
    expect(matchRoute(routes, 'api/admin/users', 'GET')?.url).toBe('http://any');
    expect(matchRoute(routes, 'metrics', 'DELETE')?.url).toBe('http://metrics');
  });

  it('matches on the cleaned path and by string prefix', () => {
    expect(matchRoute(routes, 'x/../api/q', 'GET')?.url).toBe('http://any');
    expect(matchRoute(routes, 'apiary', 'GET')?.url).toBe('http://any');
  });

  it('finds nothing when no path matches', () => {
    expect(matchRoute(routes, 'other', 'GET')).toBeUndefined();
  });

  it('reports a longer route shadowed by an earlier one', () => {
    expect(shadowedRoute(routes, 'api/admin/users', 'GET')?.url).toBe('http://admin');
    expect(shadowedRoute(routes, 'api/query', 'GET')).toBeUndefined();
  });

  it('an empty route path matches everything', () => {
    expect(matchRoute([{ path: '', url: 'http://all' }], 'anything/at/all', 'GET')?.url).toBe('http://all');
  });
});

describe('routeTarget', () => {
  const route: PluginRoute = {
    path: 'api',
    url: '{{ .JsonData.url }}',
    headers: [{ name: 'Authorization', content: 'Bearer {{ .SecureJsonData.apiToken }}' }],
    urlParams: [{ name: 'key', content: '{{ .SecureJsonData.apiToken }}' }],
  };

  it('joins the route URL path with the rest of the request path; adds urlParams to the query, Go-encoded', () => {
    const t = routeTarget(route, 'api/v1/query', 'z=1&b=x%20y&b=(2)', data);
    expect(t.url.toString()).toBe('http://up:8080/base/v1/query?b=x+y&b=%282%29&key=tok&z=1');
    expect(t.headers).toEqual({ Authorization: 'Bearer tok' });
  });

  it('uses the route URL path alone when the request path is exactly the route path', () => {
    expect(routeTarget({ path: 'api', url: 'http://up/x' }, 'api', '', data).url.toString()).toBe('http://up/x');
  });

  it('keeps percent-encoding of the forwarded path', () => {
    expect(routeTarget({ path: 'api', url: 'http://up' }, 'api/a%2Fb', '', data).url.pathname).toBe('/a%2Fb');
  });
});

describe('joinUrlFragments', () => {
  it('puts exactly one slash between the parts', () => {
    expect(joinUrlFragments('/a', 'b')).toBe('/a/b');
    expect(joinUrlFragments('/a/', '/b')).toBe('/a/b');
    expect(joinUrlFragments('/a', '/b')).toBe('/a/b');
    expect(joinUrlFragments('/a/', '')).toBe('/a/');
  });
});
