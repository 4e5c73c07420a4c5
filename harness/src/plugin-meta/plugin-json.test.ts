import fs from 'node:fs';
import path from 'node:path';
import { checkPluginJson } from './plugin-json';

const ROOT = path.resolve(__dirname, '../../..');
/** every plugin of the repository: the datasource and each panel */
const PLUGIN_DIRS = [path.join(ROOT, 'datasource'), ...listDirs(path.join(ROOT, 'panels'))];

function listDirs(dir: string): string[] {
  return fs.existsSync(dir) ? fs.readdirSync(dir).map((d) => path.join(dir, d)) : [];
}

describe('plugin.json against Grafana plugin metadata rules', () => {
  it.each(PLUGIN_DIRS.map((d) => [path.relative(ROOT, d)]))('%s/src/plugin.json is valid', (rel) => {
    const file = path.join(ROOT, rel, 'src/plugin.json');
    expect(checkPluginJson(JSON.parse(fs.readFileSync(file, 'utf8')), rel + '/src/plugin.json')).toEqual([]);
  });

  it.each(PLUGIN_DIRS.map((d) => [path.relative(ROOT, d)]))(
    '%s/dist/plugin.json is built with version and date',
    (rel) => {
      const file = path.join(ROOT, rel, 'dist/plugin.json');
      if (!fs.existsSync(file)) throw new Error(`${rel}/dist/plugin.json is missing: run npm run build`);
      const json = JSON.parse(fs.readFileSync(file, 'utf8'));
      expect(checkPluginJson(json, rel + '/dist/plugin.json')).toEqual([]);
      expect(json.info.version).toMatch(/^\d+\.\d+\.\d+$/);
      expect(json.info.updated).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      for (const f of ['module.js', 'README.md', json.info.logos.small, json.info.logos.large]) {
        expect([f, fs.existsSync(path.join(ROOT, rel, 'dist', f))]).toEqual([f, true]);
      }
    },
  );

  it('names what is wrong and where', () => {
    const bad = {
      type: 'datasource',
      name: 'x',
      id: 'Plenum_DS',
      info: { keywords: [], logos: { small: 'a' }, version: 'v1', updated: 'today' },
      dependencies: {},
      routes: [{ path: 'p', url: 'u', headers: [{ name: 'A' }] }],
      colour: 'red',
    };
    expect(checkPluginJson(bad, 'plugin.json')).toEqual(
      expect.arrayContaining([
        'plugin.json: id: must look like <org>-<name>-<type>, lower case (Grafana plugin id pattern)',
        'plugin.json: info.updated: must be YYYY-MM-DD or %TODAY%',
        'plugin.json: info.version: must be semver x.y.z or %VERSION%',
        expect.stringMatching(/^plugin\.json: info\.keywords: /),
        expect.stringMatching(/^plugin\.json: info\.logos\.large: /),
        expect.stringMatching(/^plugin\.json: dependencies\.grafanaDependency: /),
        expect.stringMatching(/^plugin\.json: routes\.0\.headers\.0\.content: /),
        expect.stringMatching(/^plugin\.json: \(root\): Unrecognized key: "colour"/),
      ]),
    );
  });
});
