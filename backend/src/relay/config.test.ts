import { ConfigError, parseConfig } from '../config/load';

const SITE = `
site:
  id: s1
  halls:
    - id: hall1
`;

const HUB = `hub:\n  store: { url: 'http://vm:8428' }\n`;

function errors(yaml: string): string[] {
  try {
    parseConfig(`${SITE}${yaml}`, 'plenum.yaml', { env: {} });
  } catch (e) {
    if (e instanceof ConfigError) return e.message.split('\n');
    throw e;
  }
  throw new Error('expected a config error');
}

describe('hub config: broker, relay and edge-only sections', () => {
  it('reads the broker as the sparkplug section does, with the relay defaults', () => {
    const c = parseConfig(
      `${SITE}${HUB}  broker: { url: 'mqtt://broker:1883', username: hub, password: \${P} }\n`,
      'plenum.yaml',
      { env: { P: 'pw' } },
    );
    expect(c.hub?.broker).toEqual({
      url: 'mqtt://broker:1883',
      username: 'hub',
      password: 'pw',
      keepaliveMs: 10_000,
      connectTimeoutMs: 10_000,
      reconnect: { minMs: 500, maxMs: 30_000 },
    });
    expect(c.hub?.relay).toEqual({ jobTimeout: 10_000 });
    expect(parseConfig(`${SITE}${HUB}`, 'plenum.yaml', { env: {} }).hub?.broker).toBeUndefined();
  });

  it('names a bad broker and relay field under hub', () => {
    expect(
      errors(
        `${HUB}  broker: { url: 'http://broker', tls: { ca: /nonexistent/ca.pem } }\n  relay: { jobTimeout: soon }\n`,
      ),
    ).toEqual([
      expect.stringContaining('hub.broker.url: expected a broker URL such as "mqtt://broker:1883"'),
      expect.stringContaining('hub.relay.jobTimeout: expected a duration'),
    ]);
    expect(errors(`${HUB}  broker: { url: 'mqtt://b:1883', tls: { ca: /nonexistent/ca.pem } }\n`)).toEqual([
      expect.stringMatching(/hub\.broker\.tls: tls needs an mqtts:\/\/ or wss:\/\/ url/),
      expect.stringMatching(/hub\.broker\.tls\.ca: cannot read \/nonexistent\/ca\.pem \(ENOENT\)/),
    ]);
  });

  it('refuses edge-only sections next to hub:, naming each', () => {
    const got = errors(
      `${HUB}sources:\n  - { name: jobs, connector: jobs }\nsparkplug:\n  broker: { url: 'mqtt://b:1883' }\n  edge: {}\n`,
    );
    expect(got).toEqual([
      expect.stringMatching(
        /^plenum\.yaml(:\d+:\d+)?: sources: a hub \(hub:\) runs no sources: it is an edge's section/,
      ),
      expect.stringMatching(
        /sparkplug: a hub \(hub:\) runs no sparkplug: .*\(the hub reads the broker from hub\.broker\)/,
      ),
    ]);
  });

  it('hub.store and remoteWrite share the auth rules and their messages', () => {
    expect(
      errors(
        `${HUB.replace("{ url: 'http://vm:8428' }", "{ url: 'http://vm:8428', bearerToken: t, basicAuth: { username: u, password: p }, headers: { Authorization: x } }")}`,
      ),
    ).toEqual([
      expect.stringContaining('hub.store.bearerToken: set basicAuth or bearerToken, not both'),
      expect.stringContaining(
        'hub.store.headers.Authorization: header "Authorization" is set by the hub itself (auth: use basicAuth or bearerToken)',
      ),
    ]);
  });
});
