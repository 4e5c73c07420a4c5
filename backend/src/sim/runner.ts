/**
 * Runs the simulated hall in real time × `speed`: advances the model every `tickMs` of wall time and serves it
 * over Modbus TCP (PDUs), a DCGM-style /metrics endpoint (GPUs) and the control API; posts job events to a
 * webhook and appends the fault ground truth to a JSONL file. Everything listens on 127.0.0.1 by default.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Site } from '@plenum/model';
import { errorMessage } from '../common/errors';
import { ControlApi } from './control-api';
import { DcgmExporter } from './dcgm-exporter';
import { JobWebhook, type JobWebhookOptions } from './job-webhook';
import { PduModbusServer } from './modbus-server';
import { HallModel, type SimParams } from './model';
import type { SimOpcUaOptions, SimOpcUaServer } from './opcua/opcua-server';

/** Fastest simulated time per wall second the runner accepts: one tick then integrates an hour (~0.1 s of CPU). */
export const MAX_SPEED = 3600;

/** Most simulated time one tick integrates, ms (an hour: ~0.1 s of CPU). */
export const MAX_CATCH_UP_MS = 3_600_000;

export interface SimRunnerOptions {
  /** @default defaultSite() (the hall of plenum.yaml) */
  site?: Site;
  hall?: string;
  /** @default 1 */
  seed?: number | string;
  /** simulated seconds per wall second, (0, 3600], @default 1 */
  speed?: number;
  /** simulated time at start, Unix ms, @default the wall clock at start */
  startMs?: number;
  /** @default 127.0.0.1 */
  host?: string;
  /** 0 picks a free port, null turns the server off; @default 5020 */
  modbusPort?: number | null;
  /** @default 9400 */
  dcgmPort?: number | null;
  /** @default 4900 */
  controlPort?: number | null;
  /** OPC UA server (CRAH, CDU, rack air sensors); 0 picks a free port; @default null: off here, main.ts serves 4840 */
  opcuaPort?: number | null;
  /** OPC UA users, PKI folder (@default `<dataDir>/pki/opcua`) and limits: opcua/opcua-server.ts */
  opcua?: Partial<Omit<SimOpcUaOptions, 'host' | 'port' | 'log'>>;
  /** the simulator's files (the OPC UA server's PKI), @default data/sim under the working directory */
  dataDir?: string;
  /** job events are posted to `webhook.url` when set (token, format, retry timing: job-webhook.ts) */
  webhook?: Omit<JobWebhookOptions, 'site' | 'hall' | 'log'>;
  /** fault starts and ends are appended here as JSON lines when set */
  groundTruthFile?: string;
  /** @default 0 */
  randomFaultsPerDay?: number;
  /** @default generated */
  jobSchedule?: 'generated' | 'none';
  params?: Partial<SimParams>;
  /** wall time between model advances, ms, @default 1000 */
  tickMs?: number;
  /** the wall clock, Unix ms, @default Date.now (tests pass their own) */
  wallClock?: () => number;
  /** @default console.log */
  log?: (message: string) => void;
}

export class SimRunner {
  readonly model: HallModel;
  readonly speed: number;
  private readonly wallClock: () => number;
  private readonly wall0: number;
  private readonly sim0: number;
  private readonly log: (message: string) => void;
  private timer?: NodeJS.Timeout;
  private modbus?: PduModbusServer;
  private dcgm?: DcgmExporter;
  private control?: ControlApi;
  private opcua?: SimOpcUaServer;
  private webhook?: JobWebhook;
  private jobEventsSent = 0;
  private truthWritten = 0;
  private truthFailing = false;
  private stopping?: Promise<void>;

  constructor(private readonly opts: SimRunnerOptions = {}) {
    const speed = opts.speed ?? 1;
    if (!(speed > 0 && speed <= MAX_SPEED)) {
      throw new RangeError(`speed: expected a number in (0, ${MAX_SPEED}] simulated seconds per second; got ${speed}`);
    }
    this.speed = speed;
    this.wallClock = opts.wallClock ?? Date.now;
    this.log = opts.log ?? ((m) => console.log(m));
    this.wall0 = this.wallClock();
    this.sim0 = opts.startMs ?? this.wall0;
    this.model = new HallModel({
      startMs: this.sim0,
      site: opts.site,
      hall: opts.hall,
      seed: opts.seed,
      params: opts.params,
      jobSchedule: opts.jobSchedule,
      randomFaultsPerDay: opts.randomFaultsPerDay,
    });
    if (opts.webhook) {
      this.webhook = new JobWebhook({
        ...opts.webhook,
        site: this.model.layout.site,
        hall: this.model.layout.hall,
        log: this.log,
      });
    }
  }

  /** Simulated time now, from the wall clock. */
  simNow(): number {
    return this.sim0 + (this.wallClock() - this.wall0) * this.speed;
  }

  /** Ports the servers listen on (undefined when off or not started). */
  ports(): { modbus?: number; dcgm?: number; control?: number; opcua?: number } {
    return { modbus: this.modbus?.port, dcgm: this.dcgm?.port, control: this.control?.port, opcua: this.opcua?.port };
  }

  /** Starts the servers and the clock. On a failure, what started is stopped again and the error names it. */
  async start(): Promise<this> {
    const host = this.opts.host ?? '127.0.0.1';
    const log = this.log;
    try {
      if (this.opts.modbusPort !== null) {
        this.modbus = new PduModbusServer(this.model, { host, port: this.opts.modbusPort ?? 5020, log });
        await this.modbus.start();
      }
      if (this.opts.dcgmPort !== null) {
        this.dcgm = new DcgmExporter(this.model, { host, port: this.opts.dcgmPort ?? 9400 });
        await this.dcgm.start();
      }
      if (this.opts.controlPort !== null) {
        this.control = new ControlApi(
          { model: this.model, sync: () => this.tick(), info: () => ({ speed: this.speed, ports: this.ports() }) },
          { host, port: this.opts.controlPort ?? 4900, log },
        );
        await this.control.start();
      }
      if (this.opts.opcuaPort !== undefined && this.opts.opcuaPort !== null) {
        // loaded only when served: node-opcua takes ~1 s to load
        const { SimOpcUaServer } = await import('./opcua/opcua-server');
        const pkiDir = path.join(this.opts.dataDir ?? path.join('data', 'sim'), 'pki', 'opcua');
        this.opcua = new SimOpcUaServer(this.model, {
          pkiDir,
          ...this.opts.opcua,
          host,
          port: this.opts.opcuaPort,
          log,
        });
        await this.opcua.start();
      }
    } catch (err) {
      await this.stop();
      throw err;
    }
    this.timer = setInterval(() => this.tick(), this.opts.tickMs ?? 1000);
    return this;
  }

  /**
   * Advances the model to now (at most MAX_CATCH_UP_MS per call, so a process that was suspended catches up over
   * several ticks instead of blocking for long) and hands new job events and ground truth on. Never throws.
   */
  tick(): void {
    try {
      this.model.advanceTo(Math.min(this.simNow(), this.model.now() + MAX_CATCH_UP_MS));
    } catch (err) {
      this.log(`sim: advancing the model failed: ${(err as Error)?.stack ?? String(err)}`);
    }
    this.opcua?.update();
    const events = this.model.jobEvents();
    for (; this.jobEventsSent < events.length; this.jobEventsSent++) {
      const e = events[this.jobEventsSent];
      if (e) this.webhook?.enqueue(e);
    }
    this.writeGroundTruth();
  }

  /** Stops the clock and every server; bounded (each server closes its connections), never rejects. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      clearInterval(this.timer);
      this.writeGroundTruth();
      await Promise.allSettled([
        this.modbus?.stop(),
        this.dcgm?.stop(),
        this.control?.stop(),
        this.opcua?.stop(),
        this.webhook?.stop(),
      ]);
    })();
    return this.stopping;
  }

  private writeGroundTruth(): void {
    const file = this.opts.groundTruthFile;
    const log = this.model.groundTruth();
    if (!file || this.truthWritten >= log.length) return;
    const lines = log
      .slice(this.truthWritten)
      .map((e) => `${JSON.stringify({ ...e, isoTime: new Date(e.time).toISOString() })}\n`)
      .join('');
    try {
      fs.appendFileSync(file, lines);
      this.truthWritten = log.length;
      if (this.truthFailing) this.log(`sim: appending the ground truth to ${file} works again`);
      this.truthFailing = false;
    } catch (err) {
      // kept in memory and retried on the next tick (logged once); GET /ground-truth has it either way
      if (!this.truthFailing) this.log(`sim: cannot append the ground truth to ${file}: ${errorMessage(err)}`);
      this.truthFailing = true;
    }
  }
}

/** Creates and starts a runner. */
export function startSimulation(opts: SimRunnerOptions = {}): Promise<SimRunner> {
  return new SimRunner(opts).start();
}
