/**
 * Point addresses of the redfish connector and what a resource's JSON gives for one (pure).
 *
 * ```
 * [bmc=<name>;]<chassis>:<signal>                      a well-known signal, in the family `schema` picks
 * [bmc=<name>;]<chassis>[/<resource>]#<property path>  a property of a chassis resource
 * ```
 *
 * `<chassis>` is the chassis `Id` (`1U`, a rack id) or `*`, the one chassis the BMC has. `<resource>` starts with a
 * navigation property of the chassis (`Power`, `Thermal`, `PowerSubsystem`, `ThermalSubsystem`,
 * `EnvironmentMetrics`, `Sensors`, `Controls`), followed by `@odata.id`'s own path segments below it
 * (`Sensors/TotalPower`, `PowerSubsystem/PowerSupplies/Bay1/Metrics`); none: the chassis itself. The property path
 * is keys and array indices separated by `/` (`PowerControl/0/PowerConsumedWatts`), and an array member can be
 * chosen by a property instead of its position: `Temperatures[PhysicalContext=Intake]/ReadingCelsius`.
 */
import type { Quality, ValueType } from '@plenum/model';
import type { SchemaFamily } from './config';

/** `rawStatus` of redfish samples: an HTTP status (100–599) as the BMC answered, or one of these. */
export const REDFISH_STATUS = {
  good: 0,
  /** no connection: refused, reset, DNS, TLS refused (certificate) */
  unreachable: 0x1001,
  /** no complete answer within timeoutMs */
  timeout: 0x1002,
  /** the answer is not JSON, or not the resource expected */
  malformed: 0x1003,
  /** the property (or the array member) is not in the resource */
  absent: 0x1004,
  /** the property is null: the BMC has no reading now */
  noReading: 0x1005,
  /** Status.Health Warning (uncertain) */
  warning: 0x1006,
  /** Status.Health Critical (bad) */
  critical: 0x1007,
  /** Status.State says the part is not working: Absent, Disabled, UnavailableOffline, StandbyOffline (bad) */
  notEnabled: 0x1008,
  /** the value's JSON type does not fit the point's valueType */
  wrongType: 0x1009,
  /** the chassis (or the resource's navigation link) is not on the BMC */
  noChassis: 0x100a,
  /** Status.State in transition: Starting, InTest, Updating, Deferring, Quiesced, StandbySpare (uncertain) */
  transition: 0x100b,
  /** the certificate does not match tls.fingerprint, or does not chain to tls.ca */
  certificate: 0x100c,
  /**
   * on a good sample of the `powerLimit` signal: no limit is in force (LimitInWatts null, or the Control
   * Disabled); the value is what the chassis may draw without one (PowerCapacityWatts, or the Control's
   * AllowableMax)
   */
  noLimit: 0x100d,
} as const;

/** Well-known signals: one name, read from the newer resources or the deprecated ones. */
export const SIGNALS = ['power', 'powerLimit', 'powerCapacity', 'intakeTemp', 'exhaustTemp'] as const;
export type Signal = (typeof SIGNALS)[number];

/** One step of a property path: a key, an index, or an array member matched by one of its properties. */
export type Step = { key: string } | { index: number } | { key: string; where: { key: string; value: string } };

/** Where a value is: a resource below a chassis and a property path in it. */
export interface Place {
  /** `[]`: the chassis itself; else the navigation property, then sub-path segments */
  resource: string[];
  path: Step[];
}

export interface RedfishAddress {
  /** BMC name (options.bmcs), or undefined: the only one */
  bmc?: string;
  /** chassis Id, or `*` */
  chassis: string;
  /** an explicit place, or a well-known signal resolved against the chassis */
  target: { place: Place } | { signal: Signal };
}

/** Where each family keeps a well-known signal. */
const SIGNAL_PLACES: Record<Signal, { modern: string; classic: string }> = {
  power: { modern: 'EnvironmentMetrics#PowerWatts/Reading', classic: 'Power#PowerControl/0/PowerConsumedWatts' },
  powerLimit: { modern: 'Controls/PowerLimit#SetPoint', classic: 'Power#PowerControl/0/PowerLimit/LimitInWatts' },
  powerCapacity: { modern: 'PowerSubsystem#CapacityWatts', classic: 'Power#PowerControl/0/PowerCapacityWatts' },
  intakeTemp: {
    modern: 'ThermalSubsystem/ThermalMetrics#TemperatureSummaryCelsius/Intake/Reading',
    classic: 'Thermal#Temperatures[PhysicalContext=Intake]/ReadingCelsius',
  },
  exhaustTemp: {
    modern: 'ThermalSubsystem/ThermalMetrics#TemperatureSummaryCelsius/Exhaust/Reading',
    classic: 'Thermal#Temperatures[PhysicalContext=Exhaust]/ReadingCelsius',
  },
};

const SEGMENT = /^[A-Za-z0-9_.@$%-]+$/;

function parsePath(text: string): { ok: true; path: Step[] } | { ok: false; error: string } {
  if (text === '')
    return { ok: false, error: 'no property after "#"; expected e.g. #PowerControl/0/PowerConsumedWatts' };
  const out: Step[] = [];
  for (const part of text.split('/')) {
    if (/^\d+$/.test(part)) {
      out.push({ index: Number(part) });
      continue;
    }
    const m = /^([^[\]=]+)\[([^=\]]+)=([^\]]*)\]$/.exec(part);
    if (m) {
      out.push({ key: m[1] as string, where: { key: m[2] as string, value: m[3] as string } });
      continue;
    }
    if (part === '' || /[[\]=]/.test(part)) {
      return {
        ok: false,
        error: `bad property step "${part}"; expected a name, an index or Name[Key=Value] (Temperatures[PhysicalContext=Intake])`,
      };
    }
    out.push({ key: part });
  }
  return { ok: true, path: out };
}

function parsePlace(text: string): { ok: true; place: Place } | { ok: false; error: string } {
  const hash = text.indexOf('#');
  if (hash < 0) return { ok: false, error: 'expected "#<property>" after the resource' };
  const res = text.slice(0, hash);
  const resource = res === '' ? [] : res.split('/');
  const bad = resource.find((s) => !SEGMENT.test(s));
  if (bad !== undefined)
    return { ok: false, error: `bad resource segment "${bad}"; expected e.g. Power or Sensors/TotalPower` };
  const p = parsePath(text.slice(hash + 1));
  return p.ok ? { ok: true, place: { resource, path: p.path } } : p;
}

/** Parses a point address; errors say what is expected. */
export function parseAddress(text: string): { ok: true; address: RedfishAddress } | { ok: false; error: string } {
  let rest = text.trim();
  let bmc: string | undefined;
  const m = /^bmc=([^;]*);/.exec(rest);
  if (m) {
    bmc = m[1] as string;
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(bmc)) return { ok: false, error: `bad bmc name "${bmc}"` };
    rest = rest.slice(m[0].length);
  }
  const cut = rest.search(/[:/#]/);
  if (rest === '' || cut <= 0) {
    return {
      ok: false,
      error:
        'expected <chassis>:<signal> or <chassis>/<resource>#<property> (1U:power, 1U/Power#PowerControl/0/PowerConsumedWatts)',
    };
  }
  const chassis = rest.slice(0, cut);
  if (chassis !== '*' && !SEGMENT.test(chassis)) return { ok: false, error: `bad chassis id "${chassis}"` };
  const after = rest.slice(cut);
  if (after.startsWith(':')) {
    const signal = after.slice(1);
    if (!(SIGNALS as readonly string[]).includes(signal)) {
      return { ok: false, error: `unknown signal "${signal}"; expected one of ${SIGNALS.join(', ')}` };
    }
    return { ok: true, address: { ...(bmc !== undefined && { bmc }), chassis, target: { signal: signal as Signal } } };
  }
  const p = parsePlace(after.startsWith('/') ? after.slice(1) : after);
  if (!p.ok) return p;
  return { ok: true, address: { ...(bmc !== undefined && { bmc }), chassis, target: { place: p.place } } };
}

/**
 * Where a well-known signal is on a chassis that links `links` (its navigation properties with an @odata.id).
 * `auto` takes the newer resource when the chassis links it, except `powerLimit`, which takes the classic
 * `Power` first: its PATCH is the write BMCs accept (bmcweb, iDRAC, iLO; the twin), while `Controls` is newer and
 * often read-only.
 */
export function signalPlace(signal: Signal, family: SchemaFamily, links: ReadonlySet<string>): Place {
  const both = SIGNAL_PLACES[signal];
  const of = (text: string) => (parsePlace(text) as { ok: true; place: Place }).place;
  const modern = of(both.modern);
  const classic = of(both.classic);
  if (family === 'modern') return modern;
  if (family === 'classic') return classic;
  const has = (p: Place) => links.has(p.resource[0] as string);
  if (signal === 'powerLimit') return has(classic) || !has(modern) ? classic : modern;
  return has(modern) || !has(classic) ? modern : classic;
}

/**
 * Where the `powerLimit` signal reads the power a chassis may draw when no limit is in force, in the same resource
 * as the limit (so a guard can judge a first cap from a good value rather than from nothing).
 */
export function noLimitPlace(limit: Place): Place {
  const text =
    limit.resource[0] === 'Controls' ? 'Controls/PowerLimit#AllowableMax' : 'Power#PowerControl/0/PowerCapacityWatts';
  return (parsePlace(text) as { ok: true; place: Place }).place;
}

/** `Power#PowerControl/0/PowerConsumedWatts`, for messages. */
export function placeText(p: Place): string {
  const steps = p.path.map((s) =>
    'index' in s ? String(s.index) : 'where' in s ? `${s.key}[${s.where.key}=${s.where.value}]` : s.key,
  );
  return `${p.resource.join('/')}#${steps.join('/')}`;
}

/** What a resource gives for one point: a value with its quality, or why not. */
export type Reading =
  | { ok: true; value: number | boolean | string; quality: Quality; rawStatus: number; note?: string }
  | { ok: false; rawStatus: number; error: string };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The quality a Redfish `Status` object gives (DSP0268 Resource.Status: State and Health). */
export function statusQuality(status: unknown): { quality: Quality; rawStatus: number; note?: string } {
  if (!isObject(status)) return { quality: 'good', rawStatus: 0 };
  const state = typeof status.State === 'string' ? status.State : undefined;
  const health = typeof status.Health === 'string' ? status.Health : undefined;
  if (state !== undefined && ['Absent', 'Disabled', 'UnavailableOffline', 'StandbyOffline'].includes(state)) {
    return { quality: 'bad', rawStatus: REDFISH_STATUS.notEnabled, note: `Status.State ${state}` };
  }
  if (health === 'Critical')
    return { quality: 'bad', rawStatus: REDFISH_STATUS.critical, note: 'Status.Health Critical' };
  if (health === 'Warning') {
    return { quality: 'uncertain', rawStatus: REDFISH_STATUS.warning, note: 'Status.Health Warning' };
  }
  if (state !== undefined && state !== 'Enabled') {
    return { quality: 'uncertain', rawStatus: REDFISH_STATUS.transition, note: `Status.State ${state}` };
  }
  return { quality: 'good', rawStatus: 0 };
}

/**
 * The value at `path` in a resource, with the quality of the nearest `Status` on the way (the array member's,
 * else the resource's): a value under a part that is absent, disabled or offline is bad whatever it says.
 */
export function readValue(resource: unknown, path: readonly Step[], valueType: ValueType): Reading {
  let here: unknown = resource;
  let status: unknown = isObject(resource) ? resource.Status : undefined;
  const walked: string[] = [];
  for (const step of path) {
    if ('index' in step) {
      walked.push(String(step.index));
      if (!Array.isArray(here) || step.index >= here.length) {
        return { ok: false, rawStatus: REDFISH_STATUS.absent, error: `no member ${walked.join('/')}` };
      }
      here = here[step.index];
    } else {
      walked.push('where' in step ? `${step.key}[${step.where.key}=${step.where.value}]` : step.key);
      if (!isObject(here) || !(step.key in here)) {
        // a disabled or absent part leaves its readings out: say so rather than "no property"
        const q = statusQuality(status);
        return q.quality === 'bad'
          ? { ok: false, rawStatus: q.rawStatus, error: `no property ${walked.join('/')} (${q.note})` }
          : { ok: false, rawStatus: REDFISH_STATUS.absent, error: `no property ${walked.join('/')}` };
      }
      here = here[step.key];
      if ('where' in step) {
        const list = Array.isArray(here) ? here : [];
        const found = list.filter((m) => isObject(m) && String(m[step.where.key]) === step.where.value);
        if (found.length !== 1) {
          return {
            ok: false,
            rawStatus: REDFISH_STATUS.absent,
            error:
              found.length === 0
                ? `no member of ${walked.join('/')}`
                : `${found.length} members match ${walked.join('/')}; expected one (choose by MemberId or an index)`,
          };
        }
        here = found[0];
      }
    }
    if (isObject(here) && isObject(here.Status)) status = here.Status;
  }
  const where = walked.join('/');
  if (here === null) return { ok: false, rawStatus: REDFISH_STATUS.noReading, error: `${where} is null (no reading)` };
  const fits =
    (valueType === 'number' && typeof here === 'number' && Number.isFinite(here)) ||
    (valueType === 'boolean' && typeof here === 'boolean') ||
    (valueType === 'string' && typeof here === 'string');
  if (!fits) {
    const got = Array.isArray(here)
      ? 'an array'
      : isObject(here)
        ? 'an object'
        : `${typeof here} ${JSON.stringify(here)}`;
    return {
      ok: false,
      rawStatus: REDFISH_STATUS.wrongType,
      error: `${where} is ${got}; the point's valueType is ${valueType}`,
    };
  }
  const q = statusQuality(status);
  return {
    ok: true,
    value: here as number | boolean | string,
    quality: q.quality,
    rawStatus: q.rawStatus,
    ...(q.note !== undefined && { note: q.note }),
  };
}
