import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundledPackages, resolvePackage, closure, runtimePackages } from './licences';
import { writeSboms } from './sbom';

const REPO = path.resolve(__dirname, '..');

describe('SBOM in the release artifacts', () => {
  it('writes CycloneDX for the server and a plugin, listing their runtime dependencies and no dev tooling', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'plenum-sbom-'));
    try {
      const files = writeSboms(out, [
        { dir: 'panels/cooling-correlation', name: 'plenum-coolingcorrelation-panel-0.1.0' },
      ]);
      expect(files.map((f) => path.basename(f))).toEqual([
        'plenum-server-0.1.0.cdx.json',
        'plenum-coolingcorrelation-panel-0.1.0.cdx.json',
      ]);
      const [server, panel] = files.map((f) => JSON.parse(fs.readFileSync(f, 'utf8')));
      expect(server).toMatchObject({ bomFormat: 'CycloneDX', specVersion: expect.stringMatching(/^1\./) });
      const names = (bom: { components: Array<{ name: string; purl: string }> }) => bom.components.map((c) => c.name);
      for (const n of ['express', 'better-sqlite3', 'node-opcua', 'modbus-serial', 'prom-client', 'yaml', 'zod']) {
        expect(names(server)).toContain(n);
      }
      expect(server.components.find((c: { name: string }) => c.name === 'express').purl).toMatch(
        /^pkg:npm\/express@5\./,
      );
      expect(names(server)).not.toContain('jest');
      // every server runtime package the licence check walks (less tsx's, run by the image but a root devDependency)
      const tsx = closure(REPO, [{ dir: resolvePackage(REPO, REPO, 'tsx')!, part: 'tsx' }]).map((p) => p.name);
      const serverRuntime = runtimePackages().filter((p) => p.part === 'server' && !tsx.includes(p.name));
      const refs = new Set(server.components.map((c: { name: string; version: string }) => `${c.name}@${c.version}`));
      expect(serverRuntime.map((p) => `${p.name}@${p.version}`).filter((id) => !refs.has(id))).toEqual([]);
      // backend and model have no devDependencies: the server SBOM, made without --omit dev, holds no dev tooling
      for (const w of ['backend', 'model']) {
        expect(JSON.parse(fs.readFileSync(path.join(REPO, w, 'package.json'), 'utf8')).devDependencies).toBeUndefined();
      }
      // and the plugin's: every package webpack bundled into its module.js
      expect(bundledPackages(path.join(REPO, 'panels/cooling-correlation'))).toEqual(['uplot']);
      expect(names(panel)).toContain('uplot');
      expect(names(panel)).not.toContain('webpack');
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});
