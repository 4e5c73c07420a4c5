import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseConfig } from '../../config/load';
import { startPlenum, type RunningPlenum } from '../../plenum';

/** Three GPU racks and the jobs source as plenum.yaml declares it. */
const SITE = `
site:
  id: s1
  halls:
    - id: hall1
      rows:
        - id: A
          racks:
            - { id: A01, x: 1, y: 1, assets: [{ id: gpu, type: gpu-server }] }
            - { id: A02, x: 2, y: 1, assets: [{ id: gpu, type: gpu-server }] }
            - { id: A03, x: 3, y: 1, assets: [{ id: gpu, type: gpu-server }] }
sources:
  - name: jobs
    connector: jobs
    points:
      - { asset: 'hall1/*/*/gpu', signal: job_active, quantity: state, valueType: boolean, address: active }
      - { asset: 'hall1/*/*/gpu', signal: job_expected_power, quantity: power, unit: kW, address: expected_power }
      - { asset: 'hall1/*/*/gpu', signal: job_gpus, quantity: count, unit: count, address: gpus }
`;

const RACKS = ['A01', 'A02', 'A03'];
const SIGNALS = ['job_active', 'job_expected_power', 'job_gpus'];

/**
 * The jobs connector's initial values through `startPlenum`, across restarts on one data folder: a rack that never
 * ran a job has a value from the start, and a job still open in the event store when the backend restarts keeps its
 * racks running.
 */
describe('job points when the backend starts', () => {
  let dir: string;
  let plenum: RunningPlenum | undefined;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plenum-jobs-start-'))));
  afterEach(async () => {
    await plenum?.stop();
    plenum = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const start = async () => {
    const config = parseConfig(SITE, path.join(dir, 'plenum.yaml'), { env: { PLENUM_DATA: dir, PLENUM_PORT: '0' } });
    plenum = await startPlenum(config, { log: () => {} });
    return plenum;
  };
  /** latest value per `<rack>/<signal>` */
  const latest = (p: RunningPlenum) => {
    const ids = RACKS.flatMap((r) => SIGNALS.map((s) => `s1/hall1/A/${r}/gpu/${s}`));
    const got = p.historian.latest(ids);
    return Object.fromEntries(
      ids.map((id) => [id.split('/').slice(3).join('/').replace('/gpu', ''), got.get(id)?.value]),
    );
  };
  const post = async (p: RunningPlenum, body: object) => {
    const res = await fetch(`${p.url}/api/events`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(201);
  };
  const idle = (rack: string) => ({
    [`${rack}/job_active`]: false,
    [`${rack}/job_expected_power`]: 0,
    [`${rack}/job_gpus`]: 0,
  });

  it('starts every rack idle on a new site, and a job open at a restart running on its racks', async () => {
    let p = await start();
    // a new site: no job ever ran, yet every job point has a value (none reads "no data")
    expect(latest(p)).toEqual({ ...idle('A01'), ...idle('A02'), ...idle('A03') });

    const job = { job_id: '4711', racks: ['A01', 'A02'], gpus: 16, expected_kw: 240, hall: 'hall1' };
    await post(p, { event: 'job_start', ...job, time: Date.now() - 60_000 });
    await p.stop();

    // the job is still running when the backend comes back: its racks start active with its share
    const before = Date.now();
    p = await start();
    const running = {
      'A01/job_active': true,
      'A01/job_expected_power': 120,
      'A01/job_gpus': 8,
      'A02/job_active': true,
      'A02/job_expected_power': 120,
      'A02/job_gpus': 8,
      ...idle('A03'),
    };
    expect(latest(p)).toEqual(running);
    const restored = p.historian.latest(['s1/hall1/A/A03/gpu/job_active']).get('s1/hall1/A/A03/gpu/job_active')!;
    expect(restored.ts).toBeGreaterThanOrEqual(before);
    expect(restored.quality).toBe('good');

    await post(p, { event: 'job_end', ...job });
    expect(latest(p)).toEqual({ ...idle('A01'), ...idle('A02'), ...idle('A03') });
    await p.stop();

    // ended jobs are not open: after another restart every rack is idle again
    p = await start();
    expect(latest(p)).toEqual({ ...idle('A01'), ...idle('A02'), ...idle('A03') });
  }, 30_000);
});
