/**
 * The rack models on built signals whose answer is known: racks that run jobs (idle ↔ training at different
 * loads, with a training job's ripple), an exhaust − inlet that saturates with load (the servers' fans speed up)
 * and follows it through three minutes of thermal mass, per-GPU temperatures beside the rack's hottest-GPU point,
 * and a CDU. Learned on 12 h of that, then one fault at a time.
 */
import { defaultSite } from '../sim/model/layout';
import { PredictionSchema } from './config';
import { Predictor } from './predictor';
import { watchHall } from './watched';
import type { Transition } from './alarms';

const site = defaultSite({ rows: 2, racksPerRow: 4, crahs: 2 });
const H = 'sim/hall1';
const RACKS = ['A01', 'A02', 'A03', 'A04', 'B01', 'B02', 'B03', 'B04'];
const cfg = PredictionSchema.parse({ zones: [{ crahs: ['crah1', 'crah2'], racks: ['A*', 'B*'] }], learn: '12h' });
const LEARN = 12 * 360;
const noise = (i: number, k: number) => Math.sin(i * 12.9898 + k * 4.1414) * 0.5 + Math.sin(i * 78.233 + k) * 0.5;
/** exhaust − inlet a rack settles at for its heat, K: kW / (kW per K), the air it moves rising with its load */
const riseK = (kw: number) => kw / (0.6 + 0.05 * kw);
const LAG = 1 - Math.exp(-10 / 180);

interface Faults {
  exhaustDrift?: number; // K on A03's exhaust reading
  inletDrift?: number; // K on A02's inlet reading
  warmAir?: number; // K of warm air truly at A02's intake (inlet and exhaust alike)
  gpuAggDrift?: number; // K on A03's hottest-GPU reading (its GPUs' own readings right)
  pumpFailed?: boolean; // CDU flow at 10 %: the GPUs' heat goes to the air (+3 K on every exhaust)
}

/** a rack's load at step i: jobs of 40–120 min at 60–120 kW between idle spells, a training job's ripple */
function loadKw(i: number, k: number): number {
  let t = 0;
  for (let s = 0; ; s++) {
    const len = (40 + ((s * 7 + k * 13) % 5) * 20) * 6;
    if (i < t + len) {
      if (s % 2 === 0) return 8 + 0.02 * noise(i, k);
      return 60 + ((s * 11 + k * 5) % 7) * 10 + 6 * Math.sin((2 * Math.PI * i) / 24) + noise(i, k + 1);
    }
    t += len;
  }
}

/** the hall stepping in time (the exhaust's lag is state) */
class Rig {
  private rise = RACKS.map(() => riseK(8));
  values(i: number, f: Faults = {}): Map<string, number> {
    const m = new Map<string, number>();
    let heat = 0;
    RACKS.forEach((r, k) => {
      const p = `${H}/${r[0]}/${r}`;
      const kw = loadKw(i, k);
      heat += kw * 0.6;
      const a02 = r === 'A02';
      const a03 = r === 'A03';
      const inlet = 20 + 0.1 * noise(i, k + 2) + (a02 ? (f.warmAir ?? 0) : 0);
      this.rise[k] = (this.rise[k] as number) + LAG * (riseK(kw) + (f.pumpFailed ? 3 : 0) - (this.rise[k] as number));
      m.set(`${p}/env/inlet_temp`, inlet + (a02 ? (f.inletDrift ?? 0) : 0));
      m.set(
        `${p}/env/exhaust_temp`,
        inlet + (this.rise[k] as number) + 0.05 * noise(i, k + 9) + (a03 ? (f.exhaustDrift ?? 0) : 0),
      );
      m.set(`${p}/pdu/power`, kw);
      m.set(`${p}/gpu/power`, kw * 0.6);
      // eight GPUs, whole degrees; the rack's hottest-GPU point is the hottest of their true temperatures
      let hottest = -Infinity;
      for (let g = 0; g < 8; g++) {
        const trueC = 30 + (g % 3) + (0.6 * kw * 1000) / 8 / 40 / 8 + (f.pumpFailed ? 15 : 0);
        hottest = Math.max(hottest, trueC);
        m.set(`${p}/gpu/gpu${g}_temp`, Math.round(trueC + 0.6 * noise(i, k * 8 + g + 20)));
      }
      m.set(`${p}/gpu/temp`, Math.round(hottest + 0.6 * noise(i, k + 90) + (a03 ? (f.gpuAggDrift ?? 0) : 0)));
    });
    const flow = 400 * (f.pumpFailed ? 0.1 : 1) * (1 + 0.003 * noise(i, 80));
    m.set(`${H}/-/-/cdu1/flow`, flow);
    m.set(`${H}/-/-/cdu1/pump_speed_setpoint`, 80);
    m.set(`${H}/-/-/cdu1/pump_speed`, 80);
    m.set(`${H}/-/-/cdu1/supply_temp`, 30 + 0.05 * noise(i, 81));
    m.set(`${H}/-/-/cdu1/supply_setpoint`, 30);
    m.set(`${H}/-/-/cdu1/return_temp`, 30 + (heat * 1000) / (flow * 70) + 0.05 * noise(i, 82));
    m.set(`${H}/-/-/cdu1/heat_load`, heat);
    return m;
  }
}

const IDS = [...new Rig().values(0).keys()];

function setup() {
  const rig = new Rig();
  const p = new Predictor(watchHall(site, IDS, cfg), cfg);
  const run = (from: number, steps: number, at: (i: number) => Faults = () => ({})) => {
    const out: { i: number; x: Transition }[] = [];
    for (let i = from; i < from + steps; i++) {
      const v = rig.values(i, at(i));
      for (const x of p.step({ t: i * 10_000, value: (id) => v.get(id) })) out.push({ i, x });
    }
    return out.filter((o) => o.x.kind === 'open');
  };
  return { p, run, learned: run(0, LEARN) };
}
const since = (i0: number) => (i: number) => (i - i0) / 360; // hours
const named = (o: { x: Transition }) => `${o.x.alarm.asset} ${o.x.alarm.diagnosis} ${o.x.alarm.pointId ?? ''}`.trim();

describe('rack models on racks that run jobs', () => {
  it('a day of jobs starting, stopping and rippling raises nothing, and every exhaust is judged', () => {
    const { p, run, learned } = setup();
    expect(learned).toEqual([]);
    expect(run(LEARN, 24 * 360).map(named)).toEqual([]);
    const dt = p.detectors.status().filter((d) => d.detector === 'exhaust − inlet per power');
    expect(dt).toHaveLength(RACKS.length);
    expect(dt.every((d) => d.state === 'normal')).toBe(true);
  });

  it('an exhaust sensor drifting 3.7 K/h low on a rack in a rippling job: the exhaust sensor within 75 min', () => {
    const { run } = setup();
    // the first job of A03's after learning that lasts 100 min more
    let start = LEARN;
    const inJob = (i: number) => loadKw(i, 2) > 50;
    while (!Array.from({ length: 100 }, (_, m) => inJob(start + m * 6)).every(Boolean)) start += 6;
    const got = run(LEARN, start - LEARN + 100 * 6, (i) => ({
      exhaustDrift: i < start ? 0 : -3.7 * since(start)(i),
    }));
    expect(got.map(named)).toEqual([`${H}/A/A03/env sensor_drift ${H}/A/A03/env/exhaust_temp`]);
    expect(since(start)(got[0]!.i)).toBeLessThanOrEqual(1.25);
  });

  it('an inlet sensor drifting 0.8 K/h: the inlet sensor from both views within 2 h, long before 2 K', () => {
    const { run } = setup();
    const got = run(LEARN, 3 * 360, (i) => ({ inletDrift: 0.8 * since(LEARN)(i) }));
    expect(got.map(named)[0]).toBe(`${H}/A/A02/env sensor_drift ${H}/A/A02/env/inlet_temp`);
    expect(since(LEARN)(got[0]!.i)).toBeLessThanOrEqual(2);
  });

  it('1.2 K of warm air truly at an intake (its exhaust warms alike) is not called a sensor', () => {
    const { run } = setup();
    const got = run(LEARN, 3 * 360, (i) => ({ warmAir: Math.min(1.2, 0.8 * since(LEARN)(i)) }));
    expect(got.map(named)).toEqual([]);
  });

  it("the rack's hottest-GPU reading drifting 2.9 K/h: that reading within 30 min, not the GPUs' cooling", () => {
    const { run } = setup();
    const got = run(LEARN, 60 * 6, (i) => ({ gpuAggDrift: 2.9 * since(LEARN)(i) }));
    expect(got.map(named)[0]).toBe(`${H}/A/A03/gpu sensor_drift ${H}/A/A03/gpu/temp`);
    expect(since(LEARN)(got[0]!.i)).toBeLessThanOrEqual(0.5);
    expect(got.some((o) => o.x.alarm.diagnosis === 'gpu_cooling')).toBe(false);
  });

  it("a failed CDU pump moves the GPUs' heat into the air: the pump, and no rack's exhaust sensor", () => {
    const { run } = setup();
    const got = run(LEARN, 2 * 360, (i) => ({ pumpFailed: i < LEARN + 40 * 6 }));
    expect(got[0] && named(got[0])).toBe(`${H}/-/-/cdu1 pump_failure`);
    expect(got.filter((o) => o.x.alarm.diagnosis === 'sensor_drift').map(named)).toEqual([]);
  });
});
