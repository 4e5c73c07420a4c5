import { promtoolCheck, PROMTOOL_FORMAT_ERROR } from '../testing/promtool';
import { DcgmExporter } from './dcgm-exporter';
import { HallModel } from './model';

const t0 = Date.UTC(2025, 0, 1);

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/**
 * A strict little parser of the Prometheus text format 0.0.4: every line is a HELP, a TYPE or a sample; each
 * metric family has HELP and TYPE before its first sample; label values are quoted with \\ \" \n escapes; no
 * series appears twice. Throws naming the line otherwise.
 */
function parseExposition(text: string): { types: Map<string, string>; samples: Sample[] } {
  const types = new Map<string, string>();
  const helps = new Set<string>();
  const samples: Sample[] = [];
  const seen = new Set<string>();
  expect(text.endsWith('\n')).toBe(true);
  text
    .slice(0, -1)
    .split('\n')
    .forEach((line, i) => {
      const where = `line ${i + 1}: ${line}`;
      let m: RegExpExecArray | null;
      if ((m = /^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line))) helps.add(m[1] as string);
      else if ((m = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line))) {
        if (types.has(m[1] as string)) throw new Error(`TYPE twice, ${where}`);
        types.set(m[1] as string, m[2] as string);
      } else if ((m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line))) {
        const name = m[1] as string;
        if (!types.has(name) || !helps.has(name)) throw new Error(`sample before its HELP/TYPE, ${where}`);
        const labels: Record<string, string> = {};
        const body = m[2] ?? '';
        const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)/y;
        let at = 0;
        while (at < body.length) {
          re.lastIndex = at;
          const l = re.exec(body);
          if (!l) throw new Error(`bad labels, ${where}`);
          labels[l[1] as string] = (l[2] as string).replace(/\\(["\\n])/g, (_, c: string) => (c === 'n' ? '\n' : c));
          at = re.lastIndex;
        }
        const value = Number(m[3]);
        if (!Number.isFinite(value)) throw new Error(`bad value, ${where}`);
        const key = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
        if (seen.has(key)) throw new Error(`series twice, ${where}`);
        seen.add(key);
        samples.push({ name, labels, value });
      } else throw new Error(`not a HELP, TYPE or sample line, ${where}`);
    });
  return { types, samples };
}

describe('DcgmExporter', () => {
  let model: HallModel;
  let exporter: DcgmExporter;
  let url: string;

  beforeAll(async () => {
    model = new HallModel({ startMs: t0, jobSchedule: 'none' });
    model.addJob({ racks: ['C04'], expectedKwPerRack: 110, durationMs: 3_600_000 });
    model.advanceTo(t0 + 300_000);
    exporter = new DcgmExporter(model, { port: 0 });
    url = `http://127.0.0.1:${await exporter.start()}`;
  });

  afterAll(() => exporter.stop());

  it('serves /metrics in the Prometheus text format, shaped like dcgm-exporter', async () => {
    const res = await fetch(`${url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const { types, samples } = parseExposition(await res.text());
    expect(Object.fromEntries(types)).toEqual({
      DCGM_FI_DEV_GPU_TEMP: 'gauge',
      DCGM_FI_DEV_POWER_USAGE: 'gauge',
      DCGM_FI_DEV_GPU_UTIL: 'gauge',
    });
    expect(samples).toHaveLength(3 * 40 * 8);
    const power = samples.filter((s) => s.name === 'DCGM_FI_DEV_POWER_USAGE' && s.labels.rack === 'C04');
    expect(power.map((s) => s.labels.gpu)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7']);
    const host = model.gpuHosts().find((h) => h.rack === 'C04')!;
    expect(power[3]?.labels).toEqual({
      gpu: '3',
      UUID: host.gpus[3]?.uuid,
      pci_bus_id: host.gpus[3]?.pciBusId,
      device: 'nvidia3',
      modelName: 'NVIDIA B300',
      Hostname: 'c04-gpu',
      rack: 'C04',
    });
    expect(power[3]?.labels.UUID).toMatch(/^GPU-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(power[3]?.value).toBeCloseTo(host.gpus[3]!.powerW, 5);
    expect(power[3]?.value).toBeGreaterThan(900); // W, the rack runs a job
    const idleUtil = samples.find((s) => s.name === 'DCGM_FI_DEV_GPU_UTIL' && s.labels.rack === 'A01');
    expect(idleUtil?.value).toBeLessThan(3);
    const temp = samples.find((s) => s.name === 'DCGM_FI_DEV_GPU_TEMP' && s.labels.rack === 'C04');
    expect(temp?.value).toBeGreaterThan(50);
  });

  it('drops an offline host, as a dead exporter would', async () => {
    const f = model.injectFault({ type: 'device_offline', target: 'C04/gpu' });
    const { samples } = parseExposition(await (await fetch(`${url}/metrics`)).text());
    model.clearFault(f.id);
    expect(samples.some((s) => s.labels.rack === 'C04')).toBe(false);
    expect(samples).toHaveLength(3 * 39 * 8);
  });

  it('answers 404 elsewhere and 405 to other methods', async () => {
    expect((await fetch(`${url}/`)).status).toBe(404);
    expect((await fetch(`${url}/metrics`, { method: 'POST' })).status).toBe(405);
  });

  it('passes promtool check metrics (Debian package prometheus)', async () => {
    const text = await (await fetch(`${url}/metrics`)).text();
    // promtool's linter flags naming conventions (no unit suffix) that the real exporter has too; only format errors fail
    expect(await promtoolCheck(text)).not.toMatch(PROMTOOL_FORMAT_ERROR);
  });
});
