/**
 * Automation wired to a running backend: the store, the guard (writing through the sources' runners and the
 * racks' BMCs), the notifier and the engine, from the site config's `automation:` section.
 */
import type { NewEvent, Point, Site } from '@plenum/model';
import type { Catalog } from '../catalog/catalog';
import type { Clock } from '../common/clock';
import type { SiteConfig } from '../config/load';
import type { SourceRunner } from '../connectors/runner';
import type { JobTransition } from '../connectors/jobs/payload';
import type { SourcePoint } from '../connectors/types';
import { WriteError } from '../connectors/types';
import type { EventStore } from '../events/event-store';
import type { Historian } from '../historian/types';
import { findRack, powerHeadroom } from './capacity';
import { AutomationSchema, type AutomationConfig } from './config';
import type { JobInfo, PredictionInfo } from './decider';
import { AutomationEngine } from './engine';
import { Guard, type PlantWriter } from './guard/guard';
import type { InputSample } from './guard/verdict';
import { Notifier } from './notify';
import { isPowerCapPoint, PowerCapClient, powerCapPoints } from './power-caps';
import { AutomationStore } from './store';

export interface AutomationDeps {
  config: SiteConfig;
  clock: Clock;
  historian: Historian;
  events: EventStore;
  catalog: Catalog;
  runners: readonly SourceRunner[];
  log(message: string): void;
  /** open predictions for prediction triggers; @default none */
  predictions?(): PredictionInfo[];
}

export interface Automation {
  engine: AutomationEngine;
  guard: Guard;
  store: AutomationStore;
  notifier: Notifier;
  config: AutomationConfig;
  /** every point automation knows, configured and virtual (rack power caps) */
  points: ReadonlyMap<string, SourcePoint>;
  latest(pointId: string): InputSample;
  onJob(job: JobTransition, time: number): void;
  close(): Promise<void>;
}

function racksOf(site: Site) {
  return site.halls.flatMap((h) => h.rows.flatMap((r) => r.racks.map((k) => ({ ...k, hall: h.id, row: r.id }))));
}

export async function startAutomation(d: AutomationDeps): Promise<Automation> {
  const config = d.config.automation ?? AutomationSchema.parse({});
  const now = () => d.clock.now();
  const store = new AutomationStore(d.config.historian.dataDir);
  const addEvent = (e: Omit<NewEvent, 'time'>) => void d.events.add({ ...e, time: now() });
  const points = new Map<string, SourcePoint>(d.config.sources.flatMap((s) => s.points).map((p) => [p.id, p]));
  let caps: PowerCapClient | undefined;
  if (config.powerCaps) {
    caps = new PowerCapClient(config.powerCaps, now);
    for (const p of powerCapPoints(d.config.site, config.powerCaps)) points.set(p.id, p);
  }
  const status = () => new Map(d.runners.map((r) => [r.status.source, r.status]));
  const latest = (id: string): InputSample => {
    const p = points.get(id);
    if (isPowerCapPoint(p)) return { pointId: id, value: caps?.known.get(id) ?? null, quality: 'good', ts: now() };
    const s = d.historian.latest([id]).get(id);
    if (!s) return { pointId: id, value: null, quality: 'missing' };
    const src = p && status().get(p.source.source);
    // a subscription that is up has proved its unchanged values (connectors/README.md, "Liveness")
    const proven = src?.reports === 'on-change' && src.state === 'up' ? now() : undefined;
    return {
      pointId: id,
      value: s.value,
      quality: s.quality,
      ts: s.ts,
      ...(proven !== undefined && { provenAt: proven }),
    };
  };
  const writer: PlantWriter = {
    async write(p, value) {
      if (isPowerCapPoint(p)) return (caps as PowerCapClient).write(p, value);
      const runner = d.runners.find((r) => r.status.source === p.source.source);
      if (!runner) throw new WriteError('config', `${p.id}: source "${p.source.source}" is not running`);
      return runner.write({ point: p, value });
    },
  };
  const guard = new Guard({
    config,
    points,
    writer,
    latest,
    store,
    addEvent,
    now,
    toWallMs: (ms) => d.clock.toWallMs(ms),
    log: d.log,
  });
  // what power management needs beside a job or a cap: each rack's and feed's headroom, with the job on (a start)
  // or as drawn now (an end, a cap); racks this site does not know are left out, not refused
  const headroom = (racks: readonly string[], hall?: string, kwPerRack?: number) => {
    const known = racks.flatMap((id) => {
      try {
        return [findRack(d, id, hall, 'racks')];
      } catch {
        return [];
      }
    });
    return powerHeadroom(d, config.capacity, known, kwPerRack);
  };
  const notifier = new Notifier({ config, addEvent, now, log: d.log, headroom: (racks) => headroom(racks) });
  const allPoints = (): Point[] => [...points.values()];
  const engine = new AutomationEngine({
    config,
    site: { id: d.config.site.id, hall: d.config.site.halls[0]?.id ?? '', racks: () => racksOf(d.config.site) },
    catalog: d.catalog,
    guard,
    store,
    notifier,
    latest,
    sources: () => d.runners.map((r) => r.status),
    addEvent,
    now,
    log: d.log,
    points: allPoints,
    ...(d.predictions && { predictions: d.predictions }),
  });
  await guard.start();
  engine.start();
  return {
    engine,
    guard,
    store,
    notifier,
    config,
    points,
    latest,
    onJob(job, time) {
      const data = (job.event.data ?? {}) as { racks?: string[]; expectedKw?: number };
      const racks = data.racks ?? [];
      const start = typeof job.start === 'number' ? job.start : Date.parse(job.start);
      const info: JobInfo = {
        id: job.jobId,
        phase: job.phase,
        racks,
        ...(job.event.location?.hall && { hall: job.event.location.hall }),
        kwPerRack: racks.length && data.expectedKw !== undefined ? data.expectedKw / racks.length : 0,
        time,
        ...(Number.isFinite(start) && { start }),
      };
      engine.onJob(info);
      if (job.phase !== 'submit')
        notifier.power({
          type: `job_${job.phase}`,
          job: job.jobId,
          racks,
          expectedKw: data.expectedKw ?? null,
          headroom: headroom(racks, info.hall, job.phase === 'start' ? info.kwPerRack : undefined),
        });
    },
    async close() {
      await engine.close();
      await guard.close();
      await notifier.close();
      store.close();
    },
  };
}
