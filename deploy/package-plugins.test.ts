import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO } from './compose-services';
import { packagePlugins, PLUGIN_DIRS } from './package-plugins';

/** Read back with Python's zipfile (an independent reader, on every CI machine for pymodbus). */
function listZip(file: string): Array<{ name: string; size: number; crcOk: boolean }> {
  const script = [
    'import json, sys, zipfile',
    'z = zipfile.ZipFile(sys.argv[1])',
    'bad = z.testzip()',
    'print(json.dumps([{"name": i.filename, "size": i.file_size, "crcOk": bad is None} for i in z.infolist()]))',
  ].join('\n');
  return JSON.parse(execFileSync('python3', ['-c', script, file], { encoding: 'utf8' }));
}

describe('npm run package', () => {
  it('writes one zip per plugin: <id>-<version>.zip with <id>/plugin.json, module.js, logo and README', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'plenum-package-'));
    try {
      const zips = packagePlugins(out);
      expect(zips.map((z) => path.basename(z)).sort()).toEqual([
        'plenum-automation-panel-0.1.0.zip',
        'plenum-coolingcorrelation-panel-0.1.0.zip',
        'plenum-itot-datasource-0.1.0.zip',
        'plenum-rackheatmap-panel-0.1.0.zip',
      ]);
      for (const z of zips) {
        const id = path.basename(z).replace(/-\d+\.\d+\.\d+\.zip$/, '');
        const entries = listZip(z);
        const names = entries.map((e) => e.name);
        expect(entries.every((e) => e.crcOk)).toBe(true);
        expect(names.every((n) => n.startsWith(`${id}/`))).toBe(true);
        expect(names).toEqual(
          expect.arrayContaining([`${id}/plugin.json`, `${id}/module.js`, `${id}/README.md`, `${id}/img/logo.svg`]),
        );
        expect(names.some((n) => n.endsWith('.map'))).toBe(false);
        // the archived module.js is the built one, byte for byte in length
        const dir = PLUGIN_DIRS.find(
          (d) => JSON.parse(fs.readFileSync(path.join(REPO, d, 'dist/plugin.json'), 'utf8')).id === id,
        )!;
        const built = fs.statSync(path.join(REPO, dir, 'dist/module.js')).size;
        expect(entries.find((e) => e.name === `${id}/module.js`)!.size).toBe(built);
      }
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});
