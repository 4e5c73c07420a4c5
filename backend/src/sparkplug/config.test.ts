import { ConfigError, parseConfig } from '../config/load';
import { displayUrl } from './session';

const site = (halls: string[]) => `
site:
  id: s1
  halls:
${halls.map((h) => `    - id: ${h}`).join('\n')}
`;

const errors = (text: string): string[] => {
  try {
    parseConfig(text, 'plenum.yaml', { env: {} });
  } catch (e) {
    if (e instanceof ConfigError) return e.message.split('\n');
    throw e;
  }
  throw new Error('expected a ConfigError');
};

describe('sparkplug config', () => {
  it('fills group, edge node and client ids from the site, durations in ms, sizes in bytes', () => {
    const c = parseConfig(
      `${site(['hall1'])}sparkplug:\n  broker: { url: 'mqtt://127.0.0.1:1883', username: u, password: p }\n  edge: { primaryHostId: hub }\n  host: { hostId: hub }\n`,
      'plenum.yaml',
      { env: {} },
    );
    expect(c.sparkplug).toEqual({
      broker: {
        url: 'mqtt://127.0.0.1:1883',
        username: 'u',
        password: 'p',
        keepaliveMs: 10_000,
        connectTimeoutMs: 10_000,
        reconnect: { minMs: 500, maxMs: 30_000 },
      },
      edge: {
        groupId: 's1',
        edgeNodeId: 'hall1',
        hall: 'hall1',
        clientId: 'plenum-edge-s1-hall1',
        primaryHostId: 'hub',
        intervalMs: 1000,
        qos: 1,
        maxQueueBytes: 1024 * 1024 * 1024,
      },
      host: { hostId: 'hub', clientId: 'plenum-host-hub', reorderTimeoutMs: 2000 },
    });
  });

  it('names the field of every problem', () => {
    expect(errors(`${site(['h1', 'h2'])}sparkplug:\n  broker: { url: 'mqtt://b:1883' }\n  edge: {}\n`)).toEqual([
      'plenum.yaml: sparkplug.edge.hall: the site has 2 halls (h1, h2); set the hall this edge node publishes (one edge node per hall)',
    ]);
    expect(
      errors(`${site(['h1'])}sparkplug:\n  broker: { url: 'http://b' }\n  edge: { qos: 2, primaryHostId: 'a/b' }\n`),
    ).toEqual([
      'plenum.yaml: sparkplug.broker.url: expected a broker URL such as "mqtt://broker:1883" or "mqtts://broker:8883"; got "http://b"',
      'plenum.yaml: sparkplug.edge.qos: expected 0 or 1; got 2',
      'plenum.yaml: sparkplug.edge.primaryHostId: expected a Sparkplug id: no "/", "+", "#" or white space; got "a/b"',
    ]);
    expect(errors(`${site(['h1'])}sparkplug:\n  broker: { url: 'mqtt://b' }\n`)).toEqual([
      'plenum.yaml: sparkplug: expected edge, host or both: the roles this backend plays on the broker',
    ]);
    expect(
      errors(
        `${site(['h1'])}sparkplug:\n  broker: { url: 'mqtt://b', tls: { ca: nope.pem } }\n  host: { hostId: x }\n`,
      ),
    ).toEqual([
      'plenum.yaml: sparkplug.broker.tls: tls needs an mqtts:// or wss:// url; got mqtt://b',
      expect.stringMatching(/^plenum\.yaml: sparkplug\.broker\.tls\.ca: cannot read .*nope\.pem \(ENOENT\)$/),
    ]);
  });

  it('logs broker URLs without credentials', () => {
    expect(displayUrl('mqtts://plenum:s3cret@broker.site:8883')).toBe('mqtts://broker.site:8883');
    expect(displayUrl('mqtt://127.0.0.1:1883')).toBe('mqtt://127.0.0.1:1883');
  });
});
