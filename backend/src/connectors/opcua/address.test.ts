import { nodeIdText, nodeRefText, parseAddress, parseNodeId, resolveNamespace } from './address';

const ok = (text: string) => {
  const r = parseAddress(text);
  if (!r.ok) throw new Error(r.error);
  return r.address;
};
const err = (text: string) => {
  const r = parseAddress(text);
  if (r.ok) throw new Error(`accepted ${text}`);
  return r.error;
};

describe('opcua addresses', () => {
  it('reads node ids by namespace URI, by index and in namespace 0', () => {
    expect(ok('nsu=urn:plenum:sim;s=hall1.crah1.supply_temp').node).toEqual({
      namespace: 'urn:plenum:sim',
      idType: 's',
      value: 'hall1.crah1.supply_temp',
    });
    expect(ok('ns=2;i=1042').node).toEqual({ namespace: 2, idType: 'i', value: '1042' });
    expect(ok('i=2258').node).toEqual({ namespace: 0, idType: 'i', value: '2258' });
    expect(ok('nsu=http://example.com/UA/;g=09087e75-8e5e-499b-954f-f2a9603db28a').node.idType).toBe('g');
    expect(ok('ns=3;b=AAEC').node).toEqual({ namespace: 3, idType: 'b', value: 'AAEC' });
    // a string identifier may contain ';' and '=' (only a trailing sampling=, queue=, deadband= is an override)
    expect(ok('ns=1;s=Line 1;Tank=3.Level').node.value).toBe('Line 1;Tank=3.Level');
    expect(ok('  NSU=urn:x ; s=a ').node).toEqual({ namespace: 'urn:x', idType: 's', value: 'a' }); // the address is trimmed
  });

  it('takes per-point overrides from the end', () => {
    expect(ok('nsu=urn:plenum:sim;s=hall1.crah1.fan_speed;sampling=500;deadband=abs:0.5;queue=20')).toEqual({
      node: { namespace: 'urn:plenum:sim', idType: 's', value: 'hall1.crah1.fan_speed' },
      samplingIntervalMs: 500,
      queueSize: 20,
      deadband: { type: 'absolute', value: 0.5 },
    });
    expect(ok('i=5;deadband=pct:2.5').deadband).toEqual({ type: 'percent', value: 2.5 });
    expect(ok('i=5;Deadband=percent:1;SAMPLING=0')).toMatchObject({
      samplingIntervalMs: 0,
      deadband: { type: 'percent' },
    });
    expect(ok('i=5;deadband=none').deadband).toEqual({ type: 'none', value: 0 });
  });

  it('names what is wrong and what is expected', () => {
    expect(err('')).toMatch(/^empty address; expected e\.g\. "nsu=urn:plenum:sim;s=hall1\.crah1\.supply_temp"/);
    expect(err('hall1.crah1.supply_temp')).toMatch(/"hall1\.crah1\.supply_temp": no identifier; expected e\.g\./);
    expect(err('ns=70000;i=1')).toMatch(/ns=70000 is not a namespace index 0–65535/);
    expect(err('ns=2;i=abc')).toMatch(/i=abc is not a numeric identifier/);
    expect(err('ns=2;x=abc')).toMatch(/unknown identifier type "x="; expected i= \(numeric\), s= \(string\)/);
    expect(err('nsu=urn:x')).toMatch(/nsu= needs an identifier after it/);
    expect(err('ns=2;g=1234')).toMatch(/g=1234 is not a GUID/);
    expect(err('nsu=urn:x;s=a;samplng=500')).toBe(
      'unknown part "samplng=500" (did you mean "sampling"?); expected overrides sampling=, queue=, deadband= after the node id',
    );
    expect(err('i=5;sampling=fast')).toBe('sampling=fast: expected a whole number of milliseconds 0–3600000');
    expect(err('i=5;queue=0')).toBe('queue=0: expected a whole number of values 1–10000');
    expect(err('i=5;deadband=pct:150')).toBe('deadband=pct:150: a percent deadband is 0–100');
    expect(err('i=5;deadband=0.5')).toMatch(/expected abs:<value> \(source unit\), pct:<0–100>/);
    expect(err('i=5;queue=1;queue=2')).toBe('"queue=" appears twice; expected each override once');
  });

  it('resolves namespaces against a NamespaceArray and writes node ids back', () => {
    const uris = ['http://opcfoundation.org/UA/', 'urn:server', 'urn:extra', 'urn:plenum:sim'];
    const node = parseNodeId('nsu=urn:plenum:sim;s=hall1.cdu1.flow');
    if (typeof node === 'string') throw new Error(node);
    expect(resolveNamespace(node, uris)).toBe(3);
    expect(resolveNamespace(node, uris.slice(0, 3))).toBeUndefined();
    expect(nodeIdText(node, 3)).toBe('ns=3;s=hall1.cdu1.flow');
    expect(nodeRefText(node)).toBe('nsu=urn:plenum:sim;s=hall1.cdu1.flow');
    const byIndex = parseNodeId('ns=2;i=7');
    if (typeof byIndex === 'string') throw new Error(byIndex);
    expect(resolveNamespace(byIndex, uris)).toBe(2);
    expect(resolveNamespace(byIndex, uris.slice(0, 2))).toBeUndefined();
    expect(nodeIdText({ namespace: 0, idType: 'i', value: '85' }, 0)).toBe('i=85');
  });
});
