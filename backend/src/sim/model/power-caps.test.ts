import { HallModel } from './hall-model';
import { DEFAULT_PARAMS, rackPowerW } from './params';

const t0 = Date.UTC(2025, 0, 1);
const P = 'sim/hall1/';
const GPUS = DEFAULT_PARAMS.serversPerRack * DEFAULT_PARAMS.gpusPerServer;
const IDLE_KW = rackPowerW(DEFAULT_PARAMS, 0) / 1000;

describe('rack power limits (BMC PowerLimit)', () => {
  it('caps a rack’s draw; its job runs proportionally slower and the lost GPU-hours are booked to rack and job', () => {
    const m = new HallModel({ startMs: t0, jobSchedule: 'none' });
    m.addJob({ id: 'train-7', racks: ['A01', 'A02'], expectedKwPerRack: 120, durationMs: 7_200_000, ripple: 0 });
    m.advanceTo(t0 + 600_000);
    expect(m.reading(P + 'A/A01/gpu/power_limit')).toEqual({ value: null, quality: 'good' });
    m.setRackPowerLimit('A01', 60, 'scheduler');
    expect(m.reading(P + 'A/A01/gpu/power_limit')).toEqual({ value: 60, quality: 'good' });
    m.advanceTo(t0 + 4_200_000); // one hour capped
    expect(m.reading(P + 'A/A01/pdu/power').value).toBeLessThan(60.5);
    expect(m.reading(P + 'A/A01/pdu/power').value).toBeGreaterThan(58);
    expect(m.reading(P + 'A/A02/pdu/power').value).toBeGreaterThan(115);
    // clocks drop, kernels keep running: utilisation stays high
    expect(m.reading(P + 'A/A01/gpu/utilization').value).toBeGreaterThan(85);
    const k = (60 - IDLE_KW) / (120 - IDLE_KW); // share of the job's dynamic power the cap leaves
    const lost = m.lostGpuHours();
    const a01 = lost.racks.find((r) => r.rack === 'A01');
    expect(a01?.capGpuH).toBeCloseTo(GPUS * (1 - k), 0);
    expect(lost.racks.find((r) => r.rack === 'A02')?.capGpuH).toBe(0);
    expect(lost.jobs).toEqual([{ job: 'train-7', capGpuH: a01?.capGpuH, thermalGpuH: 0 }]);
    expect(lost.capGpuH).toBeCloseTo(a01?.capGpuH as number, 9);

    // removing the limit: full power again, nothing more is lost
    m.setRackPowerLimit('A01', null, 'scheduler');
    m.advanceTo(t0 + 4_800_000);
    expect(m.reading(P + 'A/A01/pdu/power').value).toBeGreaterThan(115);
    expect(m.lostGpuHours().capGpuH).toBeCloseTo(a01?.capGpuH as number, 9);
    expect(m.rackPowerLimits().find((r) => r.rack === 'A01')).toEqual({ rack: 'A01', kw: null });
    const writes = m.groundTruth().filter((e) => e.phase === 'write');
    expect(writes).toEqual([
      {
        time: t0 + 600_000,
        phase: 'write',
        type: 'write',
        target: P + 'A/A01/gpu/power_limit',
        by: 'scheduler',
        from: null,
        to: 60,
        source: 'api',
      },
      {
        time: t0 + 4_200_000,
        phase: 'write',
        type: 'write',
        target: P + 'A/A01/gpu/power_limit',
        by: 'scheduler',
        from: 60,
        to: null,
        source: 'api',
      },
    ]);
  });

  it('loses nothing on an idle rack, and a limit above the draw changes nothing', () => {
    const m = new HallModel({ startMs: t0, jobSchedule: 'none' });
    m.write(P + 'B/B03/gpu/power_limit', 25);
    m.addJob({ racks: ['C01'], expectedKwPerRack: 80, durationMs: 3_600_000 });
    m.setRackPowerLimit('C01', 120);
    m.advanceTo(t0 + 1_800_000);
    expect(m.lostGpuHours().capGpuH).toBe(0);
    expect(m.reading(P + 'C/C01/pdu/power').value).toBeGreaterThan(70);
  });

  it('books thermal slowdown separately (a pump failure makes GPUs throttle)', () => {
    const m = new HallModel({ startMs: t0, jobSchedule: 'none' });
    m.addJob({ id: 'hot', racks: ['D05'], expectedKwPerRack: 120, durationMs: 7_200_000 });
    m.advanceTo(t0 + 300_000);
    m.injectFault({ type: 'pump_failure', target: 'cdu1' });
    m.advanceTo(t0 + 2_100_000);
    const lost = m.lostGpuHours();
    expect(lost.thermalGpuH).toBeGreaterThan(5);
    expect(lost.capGpuH).toBe(0);
    expect(lost.jobs.find((j) => j.job === 'hot')?.thermalGpuH).toBeCloseTo(lost.thermalGpuH, 9);
  });

  it.each([
    [() => ['Z99', 50], /rack "Z99": no such rack in hall "hall1"; expected a rack id such as A01, A02, A03, …/],
    [() => ['A01', 10], /rack A01 power limit: 10 kW is out of range; allowed 20–132.7 kW, or null for no limit/],
    [() => ['A01', 500], /rack A01 power limit: 500 kW is out of range; allowed 20–132.7 kW/],
    [() => ['A01', Number.NaN], /rack A01 power limit: NaN kW is out of range/],
  ] as const)('rejects a bad limit (%#)', (args, message) => {
    const m = new HallModel({ startMs: t0, jobSchedule: 'none' });
    const [rack, kw] = args();
    expect(() => m.setRackPowerLimit(rack as string, kw as number)).toThrow(message);
    expect(m.groundTruth()).toEqual([]);
  });

  it('refuses a limit through the point id out of range, and while the BMC is offline', () => {
    const m = new HallModel({ startMs: t0, jobSchedule: 'none' });
    expect(() => m.write(P + 'A/A01/gpu/power_limit', 200)).toThrow(
      /A01\/gpu\/power_limit": 200 kW is out of range; allowed 20–132.7 kW/,
    );
    m.injectFault({ type: 'device_offline', target: 'A01/gpu' });
    expect(() => m.setRackPowerLimit('A01', 50)).toThrow(/rack A01: its BMC \(sim\/hall1\/A\/A01\/gpu\) is offline/);
  });
});
