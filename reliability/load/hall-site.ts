import fs from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import type { Point } from '@plenum/model';
import { CONNECTOR_NAMES } from '../../backend/src/connectors/all';
import { loadConfig } from '../../backend/src/config/load';

/**
 * A site of AI racks at hall scale for `npm run bench:scale`: `points / POINTS_PER_RACK` racks, up to
 * `racksPerHall` per hall (issue 14: a hall of 1 000 AI racks has about 50 000 points), in rows of
 * `racksPerRow` with an aisle between rows, every point fed by the built-in generator. Each rack has an
 * environment sensor (inlet, exhaust, humidity), a PDU (power, voltage, current, power factor, frequency), and an
 * 8-GPU server (utilisation, fan speed, and per GPU power, temperature, memory temperature, utilisation, memory
 * utilisation) — so the NOC wall's queries (latest of every inlet, rack layout with values, hall power) select
 * what they would on a real floor: one inlet per rack, one PDU power per rack.
 */

/** points per rack: 3 environment + 5 PDU + 2 server + 8 GPUs × 5 */
export const POINTS_PER_RACK = 50;
const GPUS = 8;

export interface HallSiteOptions {
  /** the generator's poll interval, wall ms (the runner polls on the wall clock) */
  intervalMs: number;
  /** sample period in the run's clock, ms (generator `stepMs`), @default intervalMs */
  stepMs?: number;
  /** @default 1000 */
  racksPerHall?: number;
  /** @default 20 */
  racksPerRow?: number;
  /** generator seed, @default 1 */
  seed?: number;
  /** merged into the config's `historian` section */
  historian?: Record<string, unknown>;
}

export interface HallSite {
  config: Record<string, unknown>;
  racks: number;
  halls: number;
}

type Template = { asset: string; signal: string; quantity: string } & Record<string, unknown>;

const pad = (n: number) => String(n).padStart(2, '0');

/** The point templates of one rack, applied to every rack of every hall (`*` globs the hall, row and rack). */
function rackTemplates(): { racks: Template[]; gpus: Template[] } {
  const at = (asset: string) => `*/*/*/${asset}`;
  const racks: Template[] = [
    {
      asset: at('env'),
      signal: 'inlet_temp',
      quantity: 'temperature',
      tags: ['air', 'temp', 'sensor', 'inlet', 'rack'],
    },
    {
      asset: at('env'),
      signal: 'exhaust_temp',
      quantity: 'temperature',
      tags: ['air', 'temp', 'sensor', 'exhaust', 'rack'],
    },
    { asset: at('env'), signal: 'humidity', quantity: 'humidity', tags: ['air', 'humidity', 'sensor'] },
    { asset: at('pdu'), signal: 'power', quantity: 'power', unit: 'kW', tags: ['elec', 'power', 'sensor', 'pdu'] },
    { asset: at('pdu'), signal: 'voltage', quantity: 'voltage', tags: ['elec', 'volt', 'sensor', 'pdu'] },
    { asset: at('pdu'), signal: 'current', quantity: 'current', tags: ['elec', 'current', 'sensor', 'pdu'] },
    { asset: at('pdu'), signal: 'power_factor', quantity: 'powerFactor', tags: ['elec', 'pf', 'sensor', 'pdu'] },
    { asset: at('pdu'), signal: 'frequency', quantity: 'frequency', tags: ['elec', 'freq', 'sensor', 'pdu'] },
    { asset: at('gpu'), signal: 'utilization', quantity: 'utilization', tags: ['gpu', 'util', 'sensor'] },
    { asset: at('gpu'), signal: 'fan_speed', quantity: 'speed', tags: ['fan', 'speed', 'sensor'] },
  ];
  const gpus: Template[] = [];
  for (let g = 1; g <= GPUS; g++)
    gpus.push(
      { asset: at('gpu'), signal: `gpu${g}_power`, quantity: 'power', unit: 'W', tags: ['gpu', 'power', 'sensor'] },
      { asset: at('gpu'), signal: `gpu${g}_temp`, quantity: 'temperature', tags: ['gpu', 'temp', 'sensor'] },
      { asset: at('gpu'), signal: `gpu${g}_mem_temp`, quantity: 'temperature', tags: ['gpu', 'mem', 'temp', 'sensor'] },
      { asset: at('gpu'), signal: `gpu${g}_util`, quantity: 'utilization', tags: ['gpu', 'util', 'sensor'] },
      { asset: at('gpu'), signal: `gpu${g}_mem_util`, quantity: 'utilization', tags: ['gpu', 'mem', 'util', 'sensor'] },
    );
  return { racks, gpus };
}

/**
 * The config document for `points` points (a positive multiple of POINTS_PER_RACK). Two generator sources: the
 * rack-level devices (peak 130 kW per rack) and the GPUs (peak 1 kW each), both polled every `intervalMs`.
 */
export function hallSiteConfig(points: number, o: HallSiteOptions): HallSite {
  if (!Number.isInteger(points) || points <= 0 || points % POINTS_PER_RACK !== 0)
    throw new Error(`points: expected a positive multiple of ${POINTS_PER_RACK} (one rack's points); got ${points}`);
  const racksPerHall = o.racksPerHall ?? 1000;
  const racksPerRow = o.racksPerRow ?? 20;
  const racks = points / POINTS_PER_RACK;
  const halls = Math.ceil(racks / racksPerHall);
  const assets = [
    { id: 'pdu', type: 'pdu', name: 'Rack PDU' },
    { id: 'gpu', type: 'gpu-server', name: 'GPU server' },
    { id: 'env', type: 'sensor', name: 'Rack environment sensor' },
  ];
  const hallList = Array.from({ length: halls }, (_, h) => {
    const inHall = Math.min(racksPerHall, racks - h * racksPerHall);
    const rows = Array.from({ length: Math.ceil(inHall / racksPerRow) }, (_, r) => ({
      id: `R${pad(r + 1)}`,
      racks: Array.from({ length: Math.min(racksPerRow, inHall - r * racksPerRow) }, (_, k) => ({
        id: `R${pad(r + 1)}-${pad(k + 1)}`,
        x: k + 1,
        // an aisle between rows; fronts of neighbouring rows face the shared cold aisle
        y: 2 * r + 1,
        facing: r % 2 === 0 ? 'south' : 'north',
        ratedKw: 130,
        assets,
      })),
    }));
    return { id: `hall${h + 1}`, name: `Hall ${h + 1}`, rows };
  });
  const t = rackTemplates();
  const interval = o.intervalMs;
  const gen = (seed: number, peakKw: number) => ({ seed, peakKw, ...(o.stepMs !== undefined && { stepMs: o.stepMs }) });
  const config = {
    site: { id: 'scale', name: `scale bench site, ${points} points`, timezone: 'UTC', halls: hallList },
    historian: { ...o.historian },
    api: { host: '127.0.0.1' },
    sources: [
      { name: 'racks', connector: 'generator', interval, options: gen(o.seed ?? 1, 130), points: t.racks },
      { name: 'gpus', connector: 'generator', interval, options: gen((o.seed ?? 1) + 1, 1), points: t.gpus },
    ],
  };
  return { config, racks, halls };
}

/** Writes `plenum.yaml` into `dir` and loads it as the backend will (so an invalid site fails here, named). */
export function writeHallSite(
  dir: string,
  points: number,
  o: HallSiteOptions,
): HallSite & { file: string; points: Point[] } {
  const site = hallSiteConfig(points, o);
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'plenum.yaml');
  fs.writeFileSync(file, stringify(site.config, { aliasDuplicateObjects: false }));
  const loaded = loadConfig(file, { connectors: CONNECTOR_NAMES, env: {} });
  return { ...site, file, points: loaded.points };
}
