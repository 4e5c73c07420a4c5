/**
 * Runs the simulated hall in real time × `speed`: advances the model every `tickMs` of wall time and serves it
 * over Modbus TCP (PDUs), a DCGM-style /metrics endpoint (GPUs) and the control API; posts job events to a
 * webhook and appends the fault ground truth to a JSONL file. Everything listens on 127.0.0.1 by default.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Site } from '@plenum/model';
import { Clock, MAX_CLOCK_SPEED } from '../common/clock';
import { errorMessage } from '../common/errors';
import { ControlApi } from './control-api';
import { DcgmExporter } from './dcgm-exporter';
import { JobWebhook, type JobWebhookOptions } from './job-webhook';
import { PduModbusServer } from './modbus-server';
import { HallModel, type SimParams } from './model';
import type { Scenario } from '../scenario/schema';
import { ScenarioDriver } from './scenario/driver';
import type { SimOpcUaOptions, SimOpcUaServer } from './opcua/opcua-server';
import { SimBacnetServer, type SimBacnetOptions } from './bacnet/bacnet-server';
import { SimSnmpServer } from './snmp/snmp-server';

/** Fastest simulated time per wall second the runner accepts: one tick then integrates an hour (~0.1 s of CPU). */
export const MAX_SPEED = MAX_CLOCK_SPEED;

/** Most simulated time one tick integrates, ms (an hour: ~0.1 s of CPU). */
export const MAX_CATCH_UP_MS = 3_600_000;

export interface SimRunnerOptions {
  /** @default defaultSite() (the hall of plenum.yaml) */
  site?: Site;
  hall?: string;
  /** @default 1 */
  seed?: number | string;
  /** simulated seconds per wall second, (0, 3600], @default 1; not with `clock` */
  speed?: number;
  /** simulated time at start, Unix ms, @default the wall clock at start; not with `clock` */
  startMs?: number;
  /**
   * the run's clock, shared with the backend through PLENUM_CLOCK (common/clock.ts); @default one starting now at
   * `startMs` × `speed`
   */
  clock?: Clock;
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
  /**
   * the hall BMS as a BACnet/IP device (CRAHs and plant, sim/bacnet/): UDP port, 0 picks a free one; @default null:
   * off (main.ts serves it with --bacnet-port / SIM_BACNET_PORT, `npm start -- --cooling bacnet` on 47808)
   */
  bacnetPort?: number | null;
  /**
   * the PDUs also as SNMP v2c agents shaped like APC rPDU2 (sim/snmp/): UDP port of unit 1's agent, unit n on
   * port + n − 1; 0 gives each a free port; @default null: off (main.ts: --snmp-port / SIM_SNMP_PORT,
   * `npm start -- --pdus snmp` serves 16101…)
   */
  snmpPort?: number | null;
  /** the v2c community the PDU agents accept, @default public */
  snmpCommunity?: string;
  /** its device instance and APDU size (sim/bacnet/bacnet-server.ts) */
  bacnet?: Partial<Omit<SimBacnetOptions, 'host' | 'port' | 'log' | 'sync'>>;
  /** OPC UA users, PKI folder (@default `<dataDir>/pki/opcua`) and limits: opcua/opcua-server.ts */
  opcua?: Partial<Omit<SimOpcUaOptions, 'host' | 'port' | 'log'>>;
  /** the simulator's files (the OPC UA server's PKI), @default data/sim under the working directory */
  dataDir?: string;
  /** job events are posted to `webhook.url` when set (token, format, retry timing: job-webhook.ts) */
  webhook?: Omit<JobWebhookOptions, 'site' | 'hall' | 'log'>;
  /** fault starts and ends and accepted writes are appended here as JSON lines when set */
  groundTruthFile?: string;
  /** @default 0 */
  randomFaultsPerDay?: number;
  /** @default generated */
  jobSchedule?: 'generated' | 'none';
  params?: Partial<SimParams>;
  /** wall time between model advances, ms, @default 1000 / speed within 50–1000, so a tick integrates ≤ 1 min at speed 60 */
  tickMs?: number;
  /** the wall clock, Unix ms, @default Date.now (tests pass their own) */
  wallClock?: () => number;
  /** @default console.log */
  log?: (message: string) => void;
  /**
   * a scenario to play (scenario/schema.ts): its jobs, faults, writes and outdoor temperatures at their times,
   * the ground truth recorded per simulated minute; the model stops at its end
   */
  scenario?: Scenario;
  /** called after every tick that advanced a scenario, and once when it reached its end */
  onScenario?: (driver: ScenarioDriver, finished: boolean) => void;
}

export class SimRunner {
  readonly model: HallModel;
  readonly speed: number;
  /** the run's clock: every protocol stamps (or is stamped with) its time */
  readonly clock: Clock;
  private readonly log: (message: string) => void;
  private timer?: NodeJS.Timeout;
  private modbus?: PduModbusServer;
  private dcgm?: DcgmExporter;
  private control?: ControlApi;
  private opcua?: SimOpcUaServer;
  private bacnet?: SimBacnetServer;
  private snmp?: SimSnmpServer;
  private webhook?: JobWebhook;
  private jobEventsSent = 0;
  private truthWritten = 0;
  private truthFailing = false;
  private stopping?: Promise<void>;
  /** plays `opts.scenario`, when given */
  readonly scenario?: ScenarioDriver;
  private scenarioFinished = false;

  constructor(private readonly opts: SimRunnerOptions = {}) {
    if (opts.clock && (opts.speed !== undefined || opts.startMs !== undefined)) {
      throw new RangeError('speed and startMs come from the clock when one is given; pass one or the other');
    }
    const speed = opts.clock?.spec.speed ?? opts.speed ?? 1;
    if (!(speed > 0 && speed <= MAX_SPEED)) {
      throw new RangeError(`speed: expected a number in (0, ${MAX_SPEED}] simulated seconds per second; got ${speed}`);
    }
    this.speed = speed;
    this.clock = opts.clock ?? Clock.startingNow(speed, opts.startMs, opts.wallClock ?? Date.now);
    this.log = opts.log ?? ((m) => console.log(m));
    this.model = new HallModel({
      startMs: this.clock.now(),
      site: opts.site,
      hall: opts.hall,
      seed: opts.seed,
      params: opts.params,
      jobSchedule: opts.jobSchedule,
      randomFaultsPerDay: opts.randomFaultsPerDay,
    });
    if (opts.scenario) this.scenario = new ScenarioDriver(this.model, opts.scenario);
    if (opts.webhook) {
      this.webhook = new JobWebhook({
        ...opts.webhook,
        site: this.model.layout.site,
        hall: this.model.layout.hall,
        log: this.log,
      });
    }
  }

  /** Simulated time now, from the run's clock. */
  simNow(): number {
    return this.clock.now();
  }

  /** Ports the servers listen on (undefined when off or not started). */
  ports(): {
    modbus?: number;
    dcgm?: number;
    control?: number;
    opcua?: number;
    bacnet?: number;
    /** unit 1's SNMP agent (the others: `snmpPorts()`) */
    snmp?: number;
  } {
    return {
      modbus: this.modbus?.port,
      dcgm: this.dcgm?.port,
      control: this.control?.port,
      opcua: this.opcua?.port,
      ...(this.bacnet && { bacnet: this.bacnet.port }),
      ...(this.snmp && { snmp: this.snmp.port }),
    };
  }

  /** rack id → UDP port of its PDU's SNMP agent; empty when the SNMP face is off. */
  snmpPorts(): Record<string, number> {
    return this.snmp?.ports() ?? {};
  }

  /** Starts the servers and the clock. On a failure, what started is stopped again and the error names it. */
  async start(): Promise<this> {
    const host = this.opts.host ?? '127.0.0.1';
    const log = this.log;
    try {
      if (this.opts.modbusPort !== null) {
        // writes are applied at the simulated time of their arrival, not at the model's last tick
        this.modbus = new PduModbusServer(this.model, {
          host,
          port: this.opts.modbusPort ?? 5020,
          log,
          sync: () => this.tick(),
        });
        await this.modbus.start();
      }
      if (this.opts.dcgmPort !== null) {
        this.dcgm = new DcgmExporter(this.model, { host, port: this.opts.dcgmPort ?? 9400 });
        await this.dcgm.start();
      }
      if (this.opts.controlPort !== null) {
        this.control = new ControlApi(
          {
            model: this.model,
            sync: () => this.tick(),
            info: () => ({ speed: this.speed, clock: this.clock.toString(), ports: this.ports() }),
          },
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
          sync: () => this.tick(),
          ...this.opts.opcua,
          host,
          port: this.opts.opcuaPort,
          log,
        });
        await this.opcua.start();
      }
      if (this.opts.bacnetPort !== undefined && this.opts.bacnetPort !== null) {
        this.bacnet = new SimBacnetServer(this.model, {
          ...this.opts.bacnet,
          host,
          port: this.opts.bacnetPort,
          log,
          sync: () => this.tick(),
        });
        await this.bacnet.start();
      }
      if (this.opts.snmpPort !== undefined && this.opts.snmpPort !== null) {
        this.snmp = new SimSnmpServer(this.model, {
          host,
          port: this.opts.snmpPort,
          community: this.opts.snmpCommunity,
          log,
        });
        await this.snmp.start();
      }
    } catch (err) {
      await this.stop();
      throw err;
    }
    this.timer = setInterval(() => this.tick(), this.opts.tickMs ?? Math.min(1000, Math.max(50, 1000 / this.speed)));
    return this;
  }

  /**
   * Advances the model to now (at most MAX_CATCH_UP_MS per call, so a process that was suspended catches up over
   * several ticks instead of blocking for long) and hands new job events and ground truth on. Never throws.
   */
  tick(): void {
    const to = Math.min(this.simNow(), this.model.now() + MAX_CATCH_UP_MS);
    try {
      if (this.scenario) this.scenario.advance(to);
      else this.model.advanceTo(to);
    } catch (err) {
      this.log(`sim: advancing the model failed: ${(err as Error)?.stack ?? String(err)}`);
    }
    if (this.scenario && !this.scenarioFinished) {
      this.scenarioFinished = this.scenario.finished;
      try {
        this.opts.onScenario?.(this.scenario, this.scenarioFinished);
      } catch (err) {
        this.log(`sim: the scenario callback failed: ${errorMessage(err)}`);
      }
    }
    this.opcua?.update();
    this.bacnet?.update();
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
        this.bacnet?.stop(),
        this.snmp?.stop(),
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
