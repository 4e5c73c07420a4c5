import fs from 'node:fs';
import path from 'node:path';
import { parseConfig } from '../../config/load';
import { formatIssues } from '../../common/zod-issues';
import { chooseSecurity, effectivePolicy, opcuaOptions, type WireSecurity } from './config';
import { opcua } from './index';
import { parsePoints } from './points';

/** Lines as plenum.ts prints them for source 0 named "ua". */
function problems(options: unknown): string[] {
  const r = opcuaOptions.safeParse(options);
  if (r.success) return [];
  return formatIssues(r.error.issues, ['sources', 0, 'options']).map((m) => `${m} (source "ua")`);
}

describe('opcua options', () => {
  it('fills every default', () => {
    expect(opcuaOptions.parse({ endpoint: 'opc.tcp://10.0.0.5:4840' })).toEqual({
      endpoint: 'opc.tcp://10.0.0.5:4840',
      securityMode: 'auto',
      auth: { type: 'anonymous' },
      pkiDir: 'data/pki/opcua',
      mode: 'subscribe',
      queueSize: 10,
      deadband: { type: 'none', value: 0 },
      maxItemsPerCall: 1000,
      maxItemsPerSubscription: 5000,
      keepAliveMs: 5000,
      connectTimeoutMs: 10000,
      requestTimeoutMs: 10000,
      reconnect: { initialDelayMs: 1000, maxDelayMs: 30000, rebuildAfterMs: 60000 },
    });
    expect(effectivePolicy(opcuaOptions.parse({ endpoint: 'opc.tcp://h', securityMode: 'SignAndEncrypt' }))).toBe(
      'Basic256Sha256',
    );
    expect(effectivePolicy(opcuaOptions.parse({ endpoint: 'opc.tcp://h', securityMode: 'None' }))).toBe('None');
  });

  it('chooses SignAndEncrypt by default where the server offers it, with the strongest current policy', () => {
    const auto = (extra: Record<string, unknown> = {}) => opcuaOptions.parse({ endpoint: 'opc.tcp://h', ...extra });
    const ep = (mode: WireSecurity['mode'], policy: WireSecurity['policy']): WireSecurity => ({ mode, policy });
    const all = [
      ep('None', 'None'),
      ep('Sign', 'Basic256Sha256'),
      ep('SignAndEncrypt', 'Basic256Sha256'),
      ep('SignAndEncrypt', 'Aes256_Sha256_RsaPss'),
    ];
    expect(chooseSecurity(auto(), all)).toEqual(ep('SignAndEncrypt', 'Aes256_Sha256_RsaPss'));
    expect(chooseSecurity(auto(), [ep('None', 'None'), ep('Sign', 'Aes128_Sha256_RsaOaep')])).toEqual(
      ep('Sign', 'Aes128_Sha256_RsaOaep'),
    );
    // deprecated policies are never chosen by auto: a server offering only those gets None (logged at connect)
    expect(chooseSecurity(auto(), [ep('None', 'None'), ep('SignAndEncrypt', 'Basic256')])).toEqual(ep('None', 'None'));
    // a named policy is the only one auto may use, and then never None
    const named = auto({ securityPolicy: 'Basic256Sha256' });
    expect(chooseSecurity(named, all)).toEqual(ep('SignAndEncrypt', 'Basic256Sha256'));
    expect(chooseSecurity(named, [ep('None', 'None')])).toBeUndefined();
    expect(chooseSecurity(auto(), [])).toBeUndefined();
    // an explicit mode is taken as given, whatever is offered
    expect(chooseSecurity(auto({ securityMode: 'None' }), all)).toEqual(ep('None', 'None'));
    expect(chooseSecurity(auto({ securityMode: 'Sign' }), [])).toEqual(ep('Sign', 'Basic256Sha256'));
  });

  it('names the field and what is expected', () => {
    expect(
      problems({
        endpoint: 'http://gw:4840',
        securityMode: 'Encrypt',
        maxItemsPerCall: 5000,
        deadband: { type: 'percent', value: 150 },
        auth: { type: 'username', username: 'op' },
        timeout: 5,
      }),
    ).toEqual([
      'sources[0].options.endpoint: endpoint: expected an endpoint URL such as opc.tcp://10.20.0.5:4840 (source "ua")',
      'sources[0].options.securityMode: securityMode: expected one of auto, None, Sign, SignAndEncrypt (source "ua")',
      'sources[0].options.auth.password: auth.password: expected a password (write ${ENV_VAR} to keep it out of the file) (source "ua")',
      'sources[0].options.maxItemsPerCall: maxItemsPerCall is too large; expected a whole number 1–1000 (source "ua")',
      'sources[0].options.timeout: unknown field (source "ua")',
    ]);
    expect(problems({ endpoint: 'opc.tcp://h', securityPolicy: 'None' })).toEqual([
      'sources[0].options.securityPolicy: securityPolicy None with securityMode auto: give securityMode None to go without security, or leave securityPolicy out (source "ua")',
    ]);
    expect(problems({ endpoint: 'opc.tcp://h', securityMode: 'None', securityPolicy: 'Basic256Sha256' })).toEqual([
      'sources[0].options.securityPolicy: securityPolicy Basic256Sha256 needs securityMode Sign or SignAndEncrypt; expected securityMode: SignAndEncrypt (or securityPolicy: None) (source "ua")',
    ]);
    expect(problems({ endpoint: 'opc.tcp://h', deadband: { type: 'percent', value: 150 } })).toEqual([
      'sources[0].options.deadband.value: deadband.value is too large for a percent deadband; expected 0–100 (% of the EURange) (source "ua")',
    ]);
    expect(problems({ endpoint: 'opc.tcp://h', auth: { type: 'kerberos' } })).toEqual([
      'sources[0].options.auth.type: auth.type: expected one of anonymous, username, certificate (source "ua")',
    ]);
    expect(problems({ endpoint: 'opc.tcp://h', reconnect: { initialDelayMs: 5000, maxDelayMs: 1000 } })).toEqual([
      'sources[0].options.reconnect.maxDelayMs: reconnect.maxDelayMs (1000) is below reconnect.initialDelayMs (5000); expected maxDelayMs ≥ initialDelayMs (source "ua")',
    ]);
  });
});

describe('sample.yaml', () => {
  it('validates, and every point address parses', () => {
    const site = [
      'site:',
      '  id: s',
      '  halls:',
      '    - id: hall1',
      '      assets: [{ id: crah1, type: crah }, { id: crah2, type: crah }, { id: cdu1, type: cdu }, { id: chiller1, type: chiller }]',
      '      rows:',
      '        - id: A',
      '          racks:',
      ...['A01', 'A02'].map((r, x) => `            - { id: ${r}, x: ${x}, y: 0, assets: [{ id: env, type: sensor }] }`),
    ].join('\n');
    const sample = fs.readFileSync(path.join(__dirname, 'sample.yaml'), 'utf8');
    const config = parseConfig(`${site}\n${sample}`, 'sample.yaml', { connectors: ['opcua'], env: {} });
    const [cooling, chiller] = config.sources.map((s) => ({ ...s, options: opcuaOptions.parse(s.options) }));
    const points = parsePoints(cooling!);
    expect(points.map((p) => p.point.source.address)).toContain('nsu=urn:plenum:sim;s=hall1.A.A02.env.inlet_temp');
    const flow = points.find((p) => p.point.id === 's/hall1/-/-/cdu1/flow')!;
    expect(flow.params).toEqual({
      samplingIntervalMs: 250,
      queueSize: 20,
      deadband: { type: 'absolute', value: 0.05 },
    });
    const fan = points.find((p) => p.point.id === 's/hall1/-/-/crah2/fan_speed')!;
    expect(fan.params.deadband).toEqual({ type: 'percent', value: 1 });
    expect(cooling!.options.auth).toEqual({ type: 'username', username: 'operator', password: 'operator' });
    expect(opcua.init(cooling!).mode).toBe('subscribe');
    expect(opcua.init(chiller!).mode).toBe('poll');
  });
});
