/**
 * Who-Is discovery and a device browse over a BacnetLink (used by cli.ts): the devices that answer I-Am, and a
 * device's objects with their names, units and present values, read with ReadPropertyMultiple — the object-list
 * element by element (its length first, at index 0), so a long list fits devices that cannot segment.
 */
import { SOURCE_UNITS } from '@plenum/model';
import { BacnetLinkError, type BacnetLink, type DeviceAddress, type IAm, type ReadResult } from './link';
import { objectText, objectTypeName, PROPERTIES } from './objects';
import { bacnetUnitName, plenumUnitOf } from './units';

export interface BrowsedObject {
  type: number;
  instance: number;
  /** `analog-input:101` */
  object: string;
  name?: string;
  description?: string;
  /** BACnet units number and name, analog objects only */
  units?: number;
  unitName?: string;
  presentValue?: unknown;
}

export interface BrowsedDevice {
  deviceId: number;
  name?: string;
  vendor?: string;
  objects: BrowsedObject[];
}

export function discover(
  link: BacnetLink,
  to: DeviceAddress | undefined,
  range: { low?: number; high?: number },
  waitMs: number,
  bbmd?: DeviceAddress,
): Promise<IAm[]> {
  return link.whoIs(to, range, waitMs, bbmd);
}

const ALL = 0xffffffff;
const first = (v: Array<{ value: Array<{ type: number; value: unknown }> }> | undefined, id: number) =>
  (v as Array<{ id: number; value: Array<{ type: number; value: unknown }> }> | undefined)?.find((x) => x.id === id)
    ?.value?.[0];

type Spec = { objectId: { type: number; instance: number }; properties: Array<{ id: number; index: number }> };

/** ReadPropertyMultiple, halved and asked again while a device that cannot segment aborts the answer. */
async function readSplit(link: BacnetLink, d: DeviceAddress, specs: Spec[]): Promise<ReadResult[]> {
  try {
    return await link.readMultiple(d, specs);
  } catch (e) {
    const tooBig = e instanceof BacnetLinkError && e.kind === 'abort' && [1, 4, 11].includes(e.reason ?? -1);
    if (!tooBig) throw e;
    if (specs.length > 1) {
      const h = Math.ceil(specs.length / 2);
      return [...(await readSplit(link, d, specs.slice(0, h))), ...(await readSplit(link, d, specs.slice(h)))];
    }
    const only = specs[0]!;
    if (only.properties.length < 2) throw e;
    const h = Math.ceil(only.properties.length / 2);
    const [a, b] = [
      await readSplit(link, d, [{ objectId: only.objectId, properties: only.properties.slice(0, h) }]),
      await readSplit(link, d, [{ objectId: only.objectId, properties: only.properties.slice(h) }]),
    ];
    return [{ objectId: only.objectId, values: [...(a[0]?.values ?? []), ...(b[0]?.values ?? [])] }];
  }
}

/** Reads the device object, then every object of its object-list (at most `max`), `batch` objects per request. */
export async function browse(
  link: BacnetLink,
  d: DeviceAddress,
  deviceId: number,
  opts: { max?: number; batch?: number } = {},
): Promise<BrowsedDevice> {
  const dev = { type: 8, instance: deviceId };
  const P = PROPERTIES;
  const [head] = await readSplit(link, d, [
    {
      objectId: dev,
      properties: [
        { id: P['object-name'], index: ALL },
        { id: P['vendor-name'], index: ALL },
      ],
    },
  ]);
  // the list's length by ReadProperty: @bacnet-js/client leaves an index of 0 out of a ReadPropertyMultiple
  const count = Number((await link.readProperty(d, dev, P['object-list'], 0))[0]?.value ?? 0);
  const n = Math.min(count, opts.max ?? 1000);
  const ids: Array<{ type: number; instance: number }> = [];
  const batch = opts.batch ?? 16;
  for (let i = 1; i <= n; i += batch) {
    const idx = Array.from({ length: Math.min(batch, n - i + 1) }, (_, k) => ({ id: P['object-list'], index: i + k }));
    const [r] = await readSplit(link, d, [{ objectId: dev, properties: idx }]);
    for (const v of r?.values ?? []) {
      const o = v.value[0]?.value as { type: number; instance: number } | undefined;
      if (o && typeof o === 'object') ids.push({ type: o.type, instance: o.instance });
    }
  }
  const objects: BrowsedObject[] = [];
  const others = ids.filter((o) => o.type !== 8);
  for (let i = 0; i < others.length; i += batch) {
    const part = others.slice(i, i + batch);
    const res = await readSplit(
      link,
      d,
      part.map((o) => ({
        objectId: o,
        properties: [P['object-name'], P.description, P['present-value'], ...(o.type <= 2 ? [P.units] : [])].map(
          (id) => ({ id, index: ALL }),
        ),
      })),
    );
    for (const r of res) {
      const ok = (id: number) => {
        const v = first(r.values, id);
        return v && v.type !== 105 ? v.value : undefined;
      };
      const units = ok(P.units) as number | undefined;
      objects.push({
        type: r.objectId.type,
        instance: r.objectId.instance,
        object: objectText(r.objectId),
        ...(ok(P['object-name']) !== undefined && { name: String(ok(P['object-name'])) }),
        ...(ok(P.description) !== undefined && { description: String(ok(P.description)) }),
        ...(units !== undefined && { units, unitName: bacnetUnitName(units) }),
        presentValue: ok(P['present-value']),
      });
    }
  }
  const name = first(head?.values, P['object-name'])?.value;
  const vendor = first(head?.values, P['vendor-name'])?.value;
  return {
    deviceId,
    ...(name !== undefined && { name: String(name) }),
    ...(vendor !== undefined && { vendor: String(vendor) }),
    objects,
  };
}

/** Point templates for what was browsed (YAML lines), the quantity and unit guessed from the BACnet units. */
export function pointTemplates(dev: BrowsedDevice, deviceName: string, asset: string): string[] {
  const out: string[] = [];
  for (const o of dev.objects) {
    const unit = o.units !== undefined ? plenumUnitOf(o.units, 'temperature') : undefined;
    const quantity =
      (unit !== undefined && SOURCE_UNITS[unit]?.quantity) ||
      (o.type === 3 || o.type === 4 || o.type === 5 ? 'state' : 'count');
    const signal = (o.name ?? o.object).replace(/^.*\./, '').replace(/[^A-Za-z0-9_.-]/g, '_');
    const writable = o.type === 1 || o.type === 2 || o.type === 4 || o.type === 5 || o.type === 14 || o.type === 19;
    out.push(
      `- { asset: ${asset}, signal: ${signal}, quantity: ${quantity}${unit ? `, unit: '${unit}'` : ''}${o.type === 3 ? ', valueType: boolean' : ''}${writable ? ', kind: setpoint, writable: false' : ''}, address: 'device=${deviceName};object=${objectTypeName(o.type)}:${o.instance}' }${o.description ? ` # ${o.description}` : ''}`,
    );
  }
  return out;
}
