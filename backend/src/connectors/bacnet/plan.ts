/**
 * What a bacnet source reads, planned in `init` from its points (pure, no I/O): each point's device, object and
 * property, checked against the device list, the object type and the point's value type; the objects of each
 * device with the properties one poll reads of them (the points' own, plus status-flags and reliability for
 * quality, and units for analog objects).
 */
import { PlenumError } from '../../common/errors';
import type { SourceInstance, SourcePoint } from '../types';
import { parseAddress, type BacnetAddress } from './address';
import { resolveDevice, type BacnetOptions, type ResolvedDevice } from './config';
import { OBJECT_TYPES, PROPERTIES, type ObjectKind } from './objects';

export interface PlannedPoint {
  point: SourcePoint;
  address: BacnetAddress;
  /** where writes go: writeAddress when set, else address */
  write: BacnetAddress;
  device: ResolvedDevice;
  /** `<type>:<instance>` */
  objectKey: string;
  kind: ObjectKind;
}

export interface PlannedObject {
  key: string;
  objectId: { type: number; instance: number };
  kind: ObjectKind;
  /** properties one poll reads, in this order */
  properties: number[];
  points: PlannedPoint[];
}

export interface DevicePlan {
  device: ResolvedDevice;
  objects: PlannedObject[];
}

export interface SourcePlan {
  points: Map<string, PlannedPoint>;
  devices: DevicePlan[];
}

const PV = PROPERTIES['present-value'];

/** Value types a property of an object kind can be read as (present-value, relinquish-default, …). */
function valueTypesOf(kind: ObjectKind, property: number): readonly string[] {
  if (property === PROPERTIES['object-name'] || property === PROPERTIES.description) return ['string'];
  if (property === PROPERTIES['out-of-service']) return ['boolean', 'number'];
  if (kind === 'binary') return ['boolean', 'number'];
  // a multi-state present-value as its state number, or as its state-text
  if (kind === 'multistate' && property === PV) return ['number', 'string'];
  return ['number'];
}

export function planSource(source: SourceInstance<BacnetOptions>): SourcePlan {
  const o = source.options;
  const devices = new Map(o.devices.map((d) => [d.name, resolveDevice(o, d)]));
  const names = [...devices.keys()];
  const errors: string[] = [];
  const points = new Map<string, PlannedPoint>();
  const plans = new Map<string, DevicePlan>();
  for (const point of source.points) {
    const where = `point "${point.id}" in source "${source.name}"`;
    const parsed: BacnetAddress[] = [];
    for (const [field, text] of [
      ['address', point.source.address],
      ['writeAddress', point.source.writeAddress],
    ] as const) {
      if (text === undefined) continue;
      let a: BacnetAddress;
      try {
        a = parseAddress(text);
      } catch (e) {
        errors.push(`bad ${field} "${text}" of ${where}: ${(e as Error).message}`);
        continue;
      }
      if (a.device === undefined && names.length > 1) {
        errors.push(
          `${field} "${text}" of ${where} names no device; expected device=<name>, one of ${names.join(', ')}`,
        );
        continue;
      }
      if (a.device !== undefined && !devices.has(a.device)) {
        errors.push(`${field} "${text}" of ${where} names device "${a.device}", not in devices (${names.join(', ')})`);
        continue;
      }
      if (a.priority !== undefined && a.priority < 9) {
        errors.push(
          `${field} "${text}" of ${where}: priority ${a.priority} is an operator's or life-safety slot; expected 9–16`,
        );
        continue;
      }
      parsed.push(a);
    }
    if (parsed.length !== (point.source.writeAddress === undefined ? 1 : 2)) continue;
    const address = parsed[0]!;
    const write = parsed[1] ?? address;
    const kind = OBJECT_TYPES[address.objectType].kind;
    const allowed = valueTypesOf(kind, address.property);
    if (!allowed.includes(point.valueType)) {
      errors.push(
        `point "${point.id}" in source "${source.name}" has valueType ${point.valueType}, but ${address.objectType} ${address.property === PV ? 'present-value' : `property ${address.property}`} reads as ${allowed.join(' or ')}; expected valueType: ${allowed[0]}`,
      );
      continue;
    }
    if (point.writable && kind === 'multistate' && point.valueType === 'string') {
      errors.push(
        `point "${point.id}" in source "${source.name}" is writable with valueType string, but multi-state objects are written by state number; expected valueType: number (or writable: false to read the state-text)`,
      );
      continue;
    }
    if (point.writable && write.property === PV && OBJECT_TYPES[write.objectType].commandable === false) {
      errors.push(
        `point "${point.id}" in source "${source.name}" is writable, but ${write.objectType} has no priority array (inputs are read-only); expected an output or value object, or writable: false`,
      );
      continue;
    }
    const device = devices.get(address.device ?? names[0]!)!;
    const objectKey = `${address.objectType}:${address.instance}`;
    const planned: PlannedPoint = { point, address, write, device, objectKey, kind };
    points.set(point.id, planned);
    let dp = plans.get(device.name);
    if (!dp) plans.set(device.name, (dp = { device, objects: [] }));
    let obj = dp.objects.find((x) => x.key === objectKey);
    if (!obj) {
      const base: number[] = [PV, PROPERTIES['status-flags'], PROPERTIES.reliability];
      if (kind === 'analog') base.push(PROPERTIES.units);
      obj = {
        key: objectKey,
        objectId: { type: OBJECT_TYPES[address.objectType].id, instance: address.instance },
        kind,
        properties: base,
        points: [],
      };
      dp.objects.push(obj);
    }
    if (!obj.properties.includes(address.property)) obj.properties.push(address.property);
    const byText = kind === 'multistate' && address.property === PV && point.valueType === 'string';
    if (byText && !obj.properties.includes(PROPERTIES['state-text'])) obj.properties.push(PROPERTIES['state-text']);
    obj.points.push(planned);
  }
  if (errors.length > 0) throw new PlenumError('config', errors.join('\n'));
  return { points, devices: [...plans.values()] };
}
