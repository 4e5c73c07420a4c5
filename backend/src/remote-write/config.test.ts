import { ConfigError, parseConfig } from '../config/load';

const SITE = `
site:
  id: s1
  halls:
    - id: hall1
`;

const parse = (rw: string, env: NodeJS.ProcessEnv = {}) =>
  parseConfig(`${SITE}remoteWrite:\n${rw}`, 'plenum.yaml', { env });
function errors(rw: string): string[] {
  try {
    parse(rw);
  } catch (e) {
    if (e instanceof ConfigError) return e.message.split('\n');
    throw e;
  }
  throw new Error('expected a config error');
}

describe('remoteWrite config', () => {
  it('fills the defaults and reads the token from the environment', () => {
    const c = parse(`  url: http://vm:8428/api/v1/write\n  bearerToken: \${RW_TOKEN}\n`, {
      RW_TOKEN: 's3cret',
    }).remoteWrite!;
    expect(c).toEqual({
      url: 'http://vm:8428/api/v1/write',
      bearerToken: 's3cret',
      headers: {},
      timeout: 30_000,
      batchSamples: 2000,
      flushInterval: 1000,
      queueMaxBytes: 256 * 1024 * 1024,
      backoff: { min: 500, max: 30_000 },
      externalLabels: {},
      qualitySeries: true,
    });
    expect(parseConfig(SITE, 'plenum.yaml', { env: {} }).remoteWrite).toBeUndefined();
  });

  it('names the field of every mistake', () => {
    expect(
      errors(`  url: ftp://vm/x
  bearerToken: t
  basicAuth: { username: u, password: p }
  backoff: { min: 1m, max: 10s }
  queueMaxBytes: 10kb
  batchSamples: 0
  externalLabels: { rack: x, __tenant: y, 'bad-name': z, edge: e1 }
  headers: { Content-Type: text/plain, X-Scope-OrgID: t1 }
  points: { quantity: [powr] }
  timout: 5s
`),
    ).toEqual([
      'plenum.yaml: remoteWrite.url: expected an http:// or https:// URL such as http://vm:8428/api/v1/write; got "ftp://vm/x"',
      'plenum.yaml: remoteWrite.backoff.min: must not be longer than backoff.max',
      'plenum.yaml: remoteWrite.queueMaxBytes: expected at least 1mb; got 10240',
      'plenum.yaml: remoteWrite.batchSamples: expected a number ≥ 1; got 0',
      expect.stringMatching(
        /^plenum\.yaml: remoteWrite\.externalLabels\.rack: label "rack" is a label every series has already \(site, /,
      ),
      'plenum.yaml: remoteWrite.externalLabels.__tenant: label "__tenant" starts with "__", which Prometheus reserves',
      'plenum.yaml: remoteWrite.externalLabels.bad-name: label "bad-name" is not a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*)',
      expect.stringMatching(
        /^plenum\.yaml: remoteWrite\.points\.quantity\[0\]: expected one of temperature, .*\(did you mean "power"\?\); got "powr"$/,
      ),
      'plenum.yaml: remoteWrite.timout: unknown key "timout" (did you mean "timeout"?); expected one of url, basicAuth, bearerToken, headers, timeout, batchSamples, flushInterval, queueMaxBytes, backoff, externalLabels, points, qualitySeries',
    ]);
    // checks across fields, once the fields themselves are valid
    expect(
      errors(`  url: https://mimir/api/v1/push
  bearerToken: t
  basicAuth: { username: u, password: p }
  headers: { content-type: text/plain, X-Scope-OrgID: t1 }
`),
    ).toEqual([
      'plenum.yaml: remoteWrite.bearerToken: set basicAuth or bearerToken, not both',
      'plenum.yaml: remoteWrite.headers.content-type: header "content-type" is set by the sender itself (protocol and auth headers: use basicAuth or bearerToken)',
    ]);
  });
});
