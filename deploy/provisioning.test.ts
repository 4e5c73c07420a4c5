import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { PLENUM } from '../dashboards/src/build';
import { readCompose, REPO } from './compose-services';

const yaml = (rel: string) => parse(fs.readFileSync(path.join(REPO, rel), 'utf8'));

describe('provisioning/', () => {
  const compose = readCompose();
  const grafana = compose.services.grafana!;
  /** container path → host path of the Grafana service's bind mounts */
  const mounts = new Map(grafana.volumes!.map((v) => [v.split(':')[1]!, v.split(':')[0]!]));

  it('provisions the Plenum data source with the uid and type the dashboards use, URL and token from the environment', () => {
    const file = yaml('provisioning/datasources/plenum.yaml');
    expect(file.apiVersion).toBe(1);
    const [ds] = file.datasources;
    expect(ds).toMatchObject({ uid: PLENUM.uid, type: PLENUM.type, access: 'proxy' });
    const pluginId = JSON.parse(fs.readFileSync(path.join(REPO, 'datasource/src/plugin.json'), 'utf8')).id;
    expect(ds.type).toBe(pluginId);
    expect(ds.jsonData.url).toBe('${PLENUM_URL}');
    expect(ds.secureJsonData.apiToken).toBe('${PLENUM_API_TOKEN}');
    // the operate token (automation panel controls) is a secret too, never jsonData
    expect(ds.secureJsonData.operateToken).toBe('${PLENUM_OPERATE_TOKEN}');
    expect(JSON.stringify(ds.jsonData)).not.toMatch(/TOKEN/);
    // and Grafana's container gets both variables
    expect(Object.keys(grafana.environment!)).toEqual(expect.arrayContaining(['PLENUM_URL', 'PLENUM_API_TOKEN']));
  });

  it('points the dashboard provider at the folder compose mounts the dashboards into', () => {
    const file = yaml('provisioning/dashboards/plenum.yaml');
    expect(file.apiVersion).toBe(1);
    const [provider] = file.providers;
    expect(provider).toMatchObject({ type: 'file', folder: 'Plenum' });
    expect(mounts.get(provider.options.path)).toBe('./dashboards');
    const jsons = fs.readdirSync(path.join(REPO, 'dashboards')).filter((f) => f.endsWith('.json'));
    expect(jsons.sort()).toEqual([
      'automation.json',
      'data-quality.json',
      'hall.json',
      'noc-wall.json',
      'predictions.json',
      'rack.json',
      'site-overview.json',
      'workload-cooling.json',
    ]);
    expect(mounts.get('/etc/grafana/provisioning/datasources')).toBe('./provisioning/datasources');
    expect(mounts.get('/etc/grafana/provisioning/dashboards')).toBe('./provisioning/dashboards');
  });
});
