/** The options schema, the shipped profiles and sample.yaml (pure: no agent is asked anything). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseConfig } from '../../config/load';
import { snmpOptions } from './config';
import { snmp } from './index';
import { loadProfiles, PROFILES_DIR, readProfile } from './profiles';
import type { SnmpConnector } from './snmp';

describe('profiles', () => {
  it('every shipped profile validates, its name is its file name, and no two objects share an OID', () => {
    const files = fs.readdirSync(PROFILES_DIR).filter((f) => f.endsWith('.yaml'));
    expect(files.length).toBeGreaterThanOrEqual(6);
    for (const f of files) {
      const p = readProfile(path.join(PROFILES_DIR, f));
      expect(`${p.name}.yaml`).toBe(f);
      const oids = [
        ...Object.values(p.scalars).map((s) => s.oid),
        ...Object.values(p.tables).flatMap((t) =>
          Object.values(t.columns).map((c) => `${t.entry}.${c.column}${c.suffix !== undefined ? `/${c.suffix}` : ''}`),
        ),
      ];
      expect(new Set(oids).size).toBe(oids.length);
    }
    expect([...loadProfiles().keys()].sort()).toEqual([
      'apc-rpdu2',
      'eaton-xups',
      'geist-v4',
      'mib2',
      'raritan-pdu2',
      'tripplite-ats',
      'ups-mib',
    ]);
  });

  it('a bad profile file is an error naming the file and the field', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'snmp-profile-'));
    const file = path.join(dir, 'bad.yaml');
    fs.writeFileSync(file, 'name: bad\nmib: X\ndescription: x\nscalars:\n  a: { oid: 1.3.x }\n');
    try {
      expect(() => readProfile(file)).toThrow(`SNMP profile ${file}: scalars.a.oid: oid: expected a numeric OID`);
      fs.writeFileSync(
        file,
        'name: bad\nmib: X\ndescription: x\nscalars:\n  a: { oid: 1.3.6.1.4.1.1.0, enum: { 1: on }, syntax: Gauge32 }\n  b: { oid: 1.3.6.1.4.1.2.0, syntax: Counter32 }\n',
      );
      expect(() => readProfile(file)).toThrow(
        `SNMP profile ${file}: scalars.a.syntax: syntax: applies to numbers only (an enum is sent as Integer32, text as OctetString); scalars.b.syntax: syntax: expected Integer32, Unsigned32, Gauge32, TimeTicks`,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('sample.yaml', () => {
  it('validates and plans one GETBULK walk per PDU and one GET batch for the UPS', () => {
    const site = [
      'site:',
      '  id: s',
      '  halls:',
      '    - id: hall1',
      '      assets: [{ id: ups1, type: ups }]',
      '      rows:',
      '        - id: A',
      '          racks:',
      ...['a01', 'a02'].map(
        (r, x) =>
          `            - { id: ${r}, x: ${x}, y: 0, assets: [{ id: pdu, type: pdu }, { id: gpu${x + 1}, type: gpu-server }] }`,
      ),
    ].join('\n');
    const sample = fs.readFileSync(path.join(__dirname, 'sample.yaml'), 'utf8');
    const config = parseConfig(`${site}\n${sample}`, 'sample.yaml', { connectors: ['snmp'], env: {} });
    const source = config.sources[0]!;
    const c = snmp.init({ ...source, options: snmpOptions.parse(source.options) }) as SnmpConnector;
    expect(c.reads).toEqual([
      {
        agent: 'pdu-a01',
        gets: [],
        walks: [
          '1.3.6.1.4.1.318.1.1.26.4.3.1.4',
          '1.3.6.1.4.1.318.1.1.26.4.3.1.5',
          '1.3.6.1.4.1.318.1.1.26.4.3.1.9',
          '1.3.6.1.4.1.318.1.1.26.6.3.1.5',
          '1.3.6.1.4.1.318.1.1.26.9.4.3.1.3',
          '1.3.6.1.4.1.318.1.1.26.9.4.3.1.7',
        ],
      },
      expect.objectContaining({ agent: 'pdu-a02' }),
      {
        agent: 'ups1',
        gets: ['1.3.6.1.2.1.33.1.4.1.0', '1.3.6.1.2.1.33.1.2.3.0', '1.3.6.1.2.1.33.1.2.4.0'],
        walks: ['1.3.6.1.2.1.33.1.4.4.1.5'],
      },
    ]);
  });
});
