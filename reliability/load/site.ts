import fs from 'node:fs';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import type { Point } from '@plenum/model';
import { CONNECTOR_NAMES } from '../../backend/src/connectors/all';
import { loadConfig } from '../../backend/src/config/load';

const ROOT = path.resolve(__dirname, '../..');

export interface LoadSite {
  /** the config file written */
  file: string;
  points: Point[];
  halls: number;
}

type Template = Record<string, unknown> & { asset: string };

/**
 * A site config for the suites: the sample site's hall (plenum.yaml: 40 racks, CRAHs, CDU, plant) repeated
 * `halls` times, every point template of every sample source applied to every hall, all under one built-in
 * generator source polled once an hour (so that the dashboards have a first value and the backend runs no
 * device connections; the samples the suites count are the ones they post). No automation or prediction: they
 * read the sample site's own devices. `historian` is merged in (retention).
 */
export function writeLoadSite(
  dir: string,
  halls: number,
  historian: Record<string, unknown> = {},
  interval = '1h',
): LoadSite {
  const sample = parse(fs.readFileSync(path.join(ROOT, 'plenum.yaml'), 'utf8')) as {
    site: { id: string; name?: string; timezone?: string; halls: Array<Record<string, unknown>> };
    sources: Array<{ points?: Template[] }>;
  };
  const hall = sample.site.halls[0]!;
  const templates: Template[] = [];
  for (const s of sample.sources)
    for (const t of s.points ?? []) {
      const { writable: _w, writeAddress: _wa, ...rest } = t;
      templates.push({ ...rest, asset: t.asset.replace(/^[^/]+\//, '*/') });
    }
  const config = {
    site: {
      id: sample.site.id,
      name: 'reliability load site',
      timezone: 'UTC',
      halls: Array.from({ length: halls }, (_, i) => ({ ...hall, id: `hall${i + 1}`, name: `Hall ${i + 1}` })),
    },
    historian,
    api: { host: '127.0.0.1', maxBodyBytes: '8mb' },
    sources: [{ name: 'gen', connector: 'generator', interval, options: { seed: 1 }, points: templates }],
  };
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'plenum.yaml');
  fs.writeFileSync(file, stringify(config, { aliasDuplicateObjects: false }));
  const loaded = loadConfig(file, { connectors: CONNECTOR_NAMES, env: {} });
  return { file, points: loaded.points, halls };
}
