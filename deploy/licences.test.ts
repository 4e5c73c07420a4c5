import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkLicences, closure, loadPolicy, runtimePackages, satisfies } from './licences';

const allowed = new Set(loadPolicy().allowed);

describe('licence allow-list', () => {
  it('reads SPDX expressions: OR needs one allowed side, AND both, WITH its licence', () => {
    expect(satisfies('MIT', allowed)).toBe(true);
    expect(satisfies('(MIT OR WTFPL)', allowed)).toBe(true);
    expect(satisfies('(MPL-2.0 OR Apache-2.0)', allowed)).toBe(true);
    expect(satisfies('MIT AND BSD-3-Clause', allowed)).toBe(true);
    expect(satisfies('(MIT AND Zlib)', allowed)).toBe(true);
    expect(satisfies('MIT AND GPL-3.0-only', allowed)).toBe(false);
    expect(satisfies('GPL-2.0-only WITH Classpath-exception-2.0', allowed)).toBe(false);
    expect(satisfies('Apache-2.0 WITH LLVM-exception', allowed)).toBe(true);
    expect(satisfies('(BSD-2-Clause OR MIT) AND CC-BY-4.0', allowed)).toBe(false);
    expect(() => satisfies('SEE LICENSE IN LICENSE.txt', allowed)).toThrow(/trailing/);
    expect(() => satisfies('(MIT OR', allowed)).toThrow(/licence expression/);
  });

  it('walks a fixture tree as Node resolves it and names each problem with its path', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'plenum-licences-'));
    const pkg = (dir: string, m: object) => {
      fs.mkdirSync(path.join(root, dir), { recursive: true });
      fs.writeFileSync(path.join(root, dir, 'package.json'), JSON.stringify(m));
    };
    try {
      pkg('app', {
        name: 'app',
        version: '1.0.0',
        dependencies: { a: '1', gpl: '1' },
        optionalDependencies: { absent: '1' },
      });
      pkg('node_modules/a', { name: 'a', version: '1.0.0', license: 'MIT', dependencies: { b: '1' } });
      // a's own b (nested) wins over the hoisted one, as in Node
      pkg('node_modules/a/node_modules/b', { name: 'b', version: '2.0.0', licenses: [{ type: 'BSD-3-Clause' }] });
      pkg('node_modules/b', { name: 'b', version: '1.0.0', license: 'WTFPL' });
      pkg('node_modules/gpl', { name: 'gpl', version: '3.0.0', license: 'GPL-3.0-only', dependencies: { bare: '1' } });
      pkg('node_modules/bare', { name: 'bare', version: '0.1.0' });
      const pkgs = closure(root, [{ dir: path.join(root, 'app'), part: 'server' }]).filter((p) => p.name !== 'app');
      expect(pkgs.map((p) => `${p.dir} ${p.license}`).sort()).toEqual([
        'node_modules/a MIT',
        'node_modules/a/node_modules/b BSD-3-Clause',
        'node_modules/bare undefined',
        'node_modules/gpl GPL-3.0-only',
      ]);
      const policy = {
        allowed: [...allowed],
        exceptions: [
          { package: 'bare@0.1.0', licence: 'MIT', reason: 'LICENSE file' },
          { package: 'gone@1.0.0', licence: 'MIT', reason: 'old' },
        ],
      };
      const r = checkLicences(pkgs, policy);
      expect(r.problems).toEqual(['gpl@3.0.0 (node_modules/gpl, server) is "GPL-3.0-only", not on the allow-list']);
      expect(r.unusedExceptions).toEqual(['gone@1.0.0']);
      expect(checkLicences(pkgs, { ...policy, exceptions: [] }).problems).toContain(
        'bare@0.1.0 (node_modules/bare, server) declares no licence: read its LICENSE and record an exception',
      );
      pkg('node_modules/a', { name: 'a', version: '1.0.0', license: 'MIT', dependencies: { missing: '1' } });
      expect(() => closure(root, [{ dir: path.join(root, 'node_modules/a'), part: 'server' }])).toThrow(
        'missing, a dependency of a, is not installed: run npm ci',
      );
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('an unbuilt plugin fails the check, or counts its declared dependencies for the audit', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'plenum-licences-'));
    try {
      for (const [dir, m] of Object.entries({
        backend: { name: '@plenum/backend', version: '0.1.0' },
        model: { name: '@plenum/model', version: '0.1.0' },
        plugin: { name: 'plugin', version: '0.1.0', dependencies: { react: '18' } },
        'node_modules/react': { name: 'react', version: '18.3.1', license: 'MIT' },
      })) {
        fs.mkdirSync(path.join(root, dir), { recursive: true });
        fs.writeFileSync(path.join(root, dir, 'package.json'), JSON.stringify(m));
      }
      expect(() => runtimePackages(root, ['plugin'])).toThrow(/module\.js\.map is missing: run npm run build/);
      expect(runtimePackages(root, ['plugin'], 'declared').map((p) => `${p.dir} ${p.part}`)).toEqual([
        'plugin plugin',
        'node_modules/react plugin',
      ]);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('every runtime package of the real tree (server, and what the plugins bundle) is allowed, no exception stale', () => {
    const pkgs = runtimePackages();
    const names = new Set(pkgs.map((p) => p.name));
    // the server's direct dependencies, tsx (the image's CMD) and what webpack bundles (uplot, rxjs/operators)
    for (const n of [
      'express',
      'better-sqlite3',
      'node-opcua',
      'modbus-serial',
      'prom-client',
      'yaml',
      'zod',
      'tsx',
      'esbuild',
      'uplot',
      'rxjs',
    ]) {
      expect(names).toContain(n);
    }
    // Grafana provides these at run time: they are not in our zips
    expect(pkgs.filter((p) => p.part !== 'server').map((p) => p.name)).not.toContain('react');
    const r = checkLicences(pkgs, loadPolicy());
    expect(r.problems).toEqual([]);
    expect(r.unusedExceptions).toEqual([]);
  });
});
