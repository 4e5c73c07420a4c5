/**
 * The racks' power limits over HTTP shaped like Redfish (DMTF DSP0266), as a BMC or a rack manager takes them:
 * one Chassis per rack with the classic Power resource (`PowerControl[0]`: PowerConsumedWatts, PowerCapacityWatts,
 * PowerLimit {LimitInWatts, LimitException, CorrectionInMs}) and, read-only, the newer Control resource
 * (`Controls/PowerLimit`: SetPoint, AllowableMin/Max). Shapes, @odata.id and @odata.type follow the DMTF mockup
 * recorded in fixtures/devices/redfish/public-rackmount1, so one client reads both.
 *
 * `PATCH /redfish/v1/Chassis/{rack}/Power` with `{"PowerControl":[{"PowerLimit":{"LimitInWatts": n | null}}]}`
 * sets (W) or removes (null) the rack's limit: `model.setRackPowerLimit(rack, kW | null, 'redfish')`, logged to the
 * ground truth. No sessions or authentication (a loopback test bed). Pure routing: the control API (control-api.ts)
 * serves it on its port.
 */
import { createHash } from 'node:crypto';
import { PlenumError } from '../common/errors';
import { SimInputError, rackPowerLimitRange, type HallModel, type RackLayout } from './model';
import { RedfishError, type RedfishResponse } from './redfish-errors';

/** What the service reads and writes: the hall model, or anything with the same accessors. */
export type RedfishModel = Pick<
  HallModel,
  'layout' | 'params' | 'readings' | 'rackPowerLimits' | 'setRackPowerLimit' | 'seed'
>;

export interface RedfishTarget {
  model: RedfishModel;
  /** advances the model to now (simulated) before a change, so it lands at the right time */
  sync(): void;
}

/** `by` of every limit set through this service, in the ground truth. */
export const REDFISH_WRITER = 'redfish';

/** The one LimitException the twin implements: the rack's power is held under the limit, never exceeded. */
const LIMIT_EXCEPTION = 'LogEventOnly';

/** Seconds a client should wait before retrying a rack whose BMC is offline (Retry-After). */
const OFFLINE_RETRY_S = 60;

const ROOT = '/redfish/v1';
const LIMIT_POINTER = '#/PowerControl/0/PowerLimit/LimitInWatts';
const LIMIT_PROPERTY = 'PowerControl/0/PowerLimit/LimitInWatts';

const ok = (body: unknown): RedfishResponse => ({ status: 200, body });

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A stable UUID for the service root, from site, hall and seed (the same run answers the same). */
function serviceUuid(seed: string): string {
  const h = createHash('sha1').update(`plenum-sim:${seed}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** A rack as its BMC reports it. */
interface RackView {
  rack: RackLayout;
  online: boolean;
  /** the rack's input power, W (its PDU's reading); null when unknown */
  consumedW: number | null;
  /** its limit, W; null: none */
  limitW: number | null;
}

export class RedfishService {
  constructor(private readonly target: RedfishTarget) {}

  /**
   * Answers one request; `body` is the parsed JSON body (undefined: none). Never throws: every failure is a
   * Redfish error response.
   */
  handle(method: string, path: string, body: unknown): RedfishResponse {
    try {
      return this.route(method, path, body);
    } catch (err) {
      if (err instanceof RedfishError) return err.response();
      return new RedfishError(500, 'InternalError', [], [], (err as Error)?.message ?? String(err)).response();
    }
  }

  private route(method: string, path: string, body: unknown): RedfishResponse {
    const seg = path
      .split('/')
      .filter((s) => s !== '')
      .map((s) => decodeURIComponent(s));
    const only = (allowed: string) => {
      if (!allowed.split(', ').includes(method)) {
        throw new RedfishError(405, 'OperationNotAllowed', [], [], `${method} ${path}: allowed ${allowed}`, {
          Allow: allowed,
        });
      }
    };
    if (seg[0] !== 'redfish') throw this.notFound(path);
    if (seg.length === 1) {
      only('GET');
      return ok({ v1: `${ROOT}/` });
    }
    if (seg[1] !== 'v1') throw this.notFound(path);
    if (seg.length === 2) {
      only('GET');
      return ok(this.serviceRoot());
    }
    if (seg[2] !== 'Chassis') throw this.notFound(path);
    if (seg.length === 3) {
      only('GET');
      return ok(this.chassisCollection());
    }
    const view = this.rackView(seg[3] as string);
    const rest = seg.slice(4).join('/');
    switch (rest) {
      case '':
        only('GET');
        return ok(this.chassis(view));
      case 'Power':
        only('GET, PATCH');
        if (method === 'PATCH') return ok(this.power(this.patchPower(view, body)));
        return ok(this.power(view));
      case 'Controls':
        only('GET');
        return ok(this.controls(view));
      case 'Controls/PowerLimit':
        only('GET');
        return ok(this.powerLimitControl(view));
      default:
        throw this.notFound(path);
    }
  }

  private notFound(path: string): RedfishError {
    return new RedfishError(404, 'ResourceNotFound', ['Resource', path], [], `Resources: ${ROOT}/, ${ROOT}/Chassis`);
  }

  private serviceRoot() {
    const { layout, seed } = this.target.model;
    return {
      '@odata.type': '#ServiceRoot.v1_15_0.ServiceRoot',
      '@odata.id': `${ROOT}/`,
      Id: 'RootService',
      Name: `Plenum simulator, ${layout.site}/${layout.hall} rack power`,
      RedfishVersion: '1.15.0',
      UUID: serviceUuid(`${layout.site}/${layout.hall}/${String(seed)}`),
      Chassis: { '@odata.id': `${ROOT}/Chassis` },
      Links: {},
    };
  }

  private chassisCollection() {
    const racks = this.target.model.layout.racks;
    return {
      '@odata.type': '#ChassisCollection.ChassisCollection',
      '@odata.id': `${ROOT}/Chassis`,
      Name: 'Chassis Collection',
      'Members@odata.count': racks.length,
      Members: racks.map((r) => ({ '@odata.id': `${ROOT}/Chassis/${encodeURIComponent(r.id)}` })),
    };
  }

  private rackView(id: string): RackView {
    const m = this.target.model;
    const i = m.layout.racks.findIndex((r) => r.id === id);
    const rack = m.layout.racks[i];
    if (!rack) {
      const ids = m.layout.racks.map((r) => r.id);
      throw new RedfishError(404, 'ResourceNotFound', ['Chassis', id], [], `Racks: ${ids.slice(0, 3).join(', ')}, …`);
    }
    const { site, hall } = m.layout;
    const readings = m.readings();
    const limit = rack.assets.gpu
      ? readings.get(`${site}/${hall}/${rack.row}/${rack.id}/${rack.assets.gpu}/power_limit`)
      : undefined;
    const pdu = rack.assets.pdu
      ? readings.get(`${site}/${hall}/${rack.row}/${rack.id}/${rack.assets.pdu}/power`)
      : undefined;
    const kw = m.rackPowerLimits()[i]?.kw ?? null;
    return {
      rack,
      // the BMC is the rack's GPU-server asset: device_offline on it turns the limit unreadable (bad)
      online: limit?.quality !== 'bad',
      consumedW: pdu?.quality === 'good' && pdu.value !== null ? Math.round(pdu.value * 1000) : null,
      limitW: kw === null ? null : Math.round(kw * 1e6) / 1e3,
    };
  }

  private status(v: RackView) {
    return v.online ? { State: 'Enabled', Health: 'OK' } : { State: 'UnavailableOffline', Health: 'Critical' };
  }

  private chassis(v: RackView) {
    const base = `${ROOT}/Chassis/${encodeURIComponent(v.rack.id)}`;
    return {
      '@odata.type': '#Chassis.v1_22_0.Chassis',
      '@odata.id': base,
      Id: v.rack.id,
      Name: `Rack ${v.rack.id}`,
      ChassisType: 'Rack',
      PowerState: 'On',
      Location: { Placement: { Row: v.rack.row, Rack: v.rack.id } },
      Status: this.status(v),
      Power: { '@odata.id': `${base}/Power` },
      Controls: { '@odata.id': `${base}/Controls` },
    };
  }

  private power(v: RackView) {
    const base = `${ROOT}/Chassis/${encodeURIComponent(v.rack.id)}`;
    return {
      '@odata.type': '#Power.v1_7_1.Power',
      '@odata.id': `${base}/Power`,
      Id: 'Power',
      Name: 'Power',
      PowerControl: [
        {
          '@odata.id': `${base}/Power#/PowerControl/0`,
          MemberId: '0',
          Name: `Rack ${v.rack.id} input power`,
          PowerConsumedWatts: v.online ? v.consumedW : null,
          // the rack's rated IT power (what it is provisioned for)
          PowerCapacityWatts: Math.round(v.rack.ratedKw * 1000),
          PowerLimit: {
            LimitInWatts: v.limitW,
            LimitException: LIMIT_EXCEPTION,
            // the twin applies a limit at its next step
            CorrectionInMs: this.target.model.params.stepMs,
          },
          RelatedItem: [{ '@odata.id': base }],
          Status: this.status(v),
        },
      ],
    };
  }

  private controls(v: RackView) {
    const base = `${ROOT}/Chassis/${encodeURIComponent(v.rack.id)}/Controls`;
    return {
      '@odata.type': '#ControlCollection.ControlCollection',
      '@odata.id': base,
      Name: 'Controls',
      'Members@odata.count': 1,
      Members: [{ '@odata.id': `${base}/PowerLimit` }],
    };
  }

  private powerLimitControl(v: RackView) {
    const base = `${ROOT}/Chassis/${encodeURIComponent(v.rack.id)}`;
    const { min, max } = rackPowerLimitRange(this.target.model.params);
    return {
      '@odata.type': '#Control.v1_2_0.Control',
      '@odata.id': `${base}/Controls/PowerLimit`,
      Id: 'PowerLimit',
      Name: `Rack ${v.rack.id} power limit`,
      PhysicalContext: 'Chassis',
      ControlType: 'Power',
      // Disabled: no limit in force; set one with a PATCH of the Power resource
      ControlMode: v.limitW === null ? 'Disabled' : 'Automatic',
      SetPoint: v.limitW,
      SetPointUnits: 'W',
      AllowableMin: min * 1000,
      AllowableMax: Math.round(max * 1e6) / 1e3,
      Sensor: { Reading: v.online ? v.consumedW : null, DataSourceUri: `${base}/Power#/PowerControl/0` },
      Status: this.status(v),
    };
  }

  /** Validates the PATCH body, sets the limit, returns the rack as it is afterwards. */
  private patchPower(v: RackView, body: unknown): RackView {
    if (body === undefined) throw new RedfishError(400, 'EmptyJSON', [], [], 'expected {"PowerControl": [{…}]}');
    if (!isObject(body)) {
      throw new RedfishError(
        400,
        'PropertyValueTypeError',
        [JSON.stringify(body), '(request body)'],
        [],
        'Expected an object.',
      );
    }
    if (Object.keys(body).length === 0) throw new RedfishError(400, 'EmptyJSON');
    for (const key of Object.keys(body)) {
      if (key === 'PowerControl' || key.startsWith('@odata.')) continue;
      const known = ['Id', 'Name', 'Voltages', 'PowerSupplies', 'Redundancy'].includes(key);
      throw new RedfishError(400, known ? 'PropertyNotWritable' : 'PropertyUnknown', [key], [`#/${key}`]);
    }
    const pc = body.PowerControl;
    if (!Array.isArray(pc) || pc.length !== 1 || !isObject(pc[0])) {
      throw new RedfishError(
        400,
        'PropertyValueFormatError',
        [JSON.stringify(pc) ?? 'undefined', 'PowerControl'],
        ['#/PowerControl'],
        'Expected an array of one member: [{"PowerLimit": {"LimitInWatts": <W> | null}}].',
      );
    }
    const member = pc[0];
    for (const key of Object.keys(member)) {
      if (key === 'PowerLimit' || key === 'MemberId' || key.startsWith('@odata.')) continue;
      const known = [
        'Name',
        'PowerConsumedWatts',
        'PowerCapacityWatts',
        'PowerRequestedWatts',
        'PowerAvailableWatts',
        'PowerAllocatedWatts',
        'PowerMetrics',
        'RelatedItem',
        'Status',
      ].includes(key);
      const p = `PowerControl/0/${key}`;
      throw new RedfishError(400, known ? 'PropertyNotWritable' : 'PropertyUnknown', [p], [`#/${p}`]);
    }
    if (member.MemberId !== undefined && member.MemberId !== '0') {
      throw new RedfishError(
        400,
        'PropertyValueNotInList',
        [String(member.MemberId), 'PowerControl/0/MemberId'],
        ['#/PowerControl/0/MemberId'],
      );
    }
    const pl = member.PowerLimit;
    if (pl === undefined) return v;
    if (!isObject(pl)) {
      throw new RedfishError(
        400,
        'PropertyValueTypeError',
        [JSON.stringify(pl), 'PowerControl/0/PowerLimit'],
        ['#/PowerControl/0/PowerLimit'],
      );
    }
    for (const key of Object.keys(pl)) {
      if (key === 'LimitInWatts' || key === 'LimitException') continue;
      const p = `PowerControl/0/PowerLimit/${key}`;
      throw new RedfishError(
        400,
        key === 'CorrectionInMs' ? 'PropertyNotWritable' : 'PropertyUnknown',
        [p],
        [`#/${p}`],
      );
    }
    if (pl.LimitException !== undefined && pl.LimitException !== LIMIT_EXCEPTION) {
      const p = 'PowerControl/0/PowerLimit/LimitException';
      throw new RedfishError(
        400,
        'PropertyValueNotInList',
        [String(pl.LimitException), p],
        [`#/${p}`],
        `Supported: ${LIMIT_EXCEPTION} (the rack is held under its limit).`,
      );
    }
    if (!('LimitInWatts' in pl)) return v;
    const w = pl.LimitInWatts;
    const { min, max } = rackPowerLimitRange(this.target.model.params);
    const range = `Allowed: ${min * 1000}–${Math.round(max * 1e6) / 1e3} W, or null for no limit.`;
    if (w !== null && (typeof w !== 'number' || !Number.isFinite(w))) {
      throw new RedfishError(
        400,
        'PropertyValueTypeError',
        [JSON.stringify(w), LIMIT_PROPERTY],
        [LIMIT_POINTER],
        range,
      );
    }
    // compared in kW, as the model checks it: 132700 W is 132.7 kW exactly, the top of the range
    if (w !== null && (w / 1000 < min || w / 1000 > max)) {
      throw new RedfishError(400, 'PropertyValueOutOfRange', [String(w), LIMIT_PROPERTY], [LIMIT_POINTER], range);
    }
    if (!v.online) {
      throw new RedfishError(
        503,
        'ServiceTemporarilyUnavailable',
        [String(OFFLINE_RETRY_S)],
        [],
        `The BMC of rack ${v.rack.id} is offline; the limit was not applied.`,
        { 'Retry-After': String(OFFLINE_RETRY_S) },
      );
    }
    this.target.sync();
    try {
      this.target.model.setRackPowerLimit(v.rack.id, w === null ? null : w / 1000, REDFISH_WRITER);
    } catch (err) {
      if (err instanceof SimInputError) {
        throw new RedfishError(
          400,
          'PropertyValueOutOfRange',
          [String(w), LIMIT_PROPERTY],
          [LIMIT_POINTER],
          err.message,
        );
      }
      if (err instanceof PlenumError && err.origin === 'device') {
        throw new RedfishError(503, 'ServiceTemporarilyUnavailable', [String(OFFLINE_RETRY_S)], [], err.message, {
          'Retry-After': String(OFFLINE_RETRY_S),
        });
      }
      throw err;
    }
    return this.rackView(v.rack.id);
  }
}
