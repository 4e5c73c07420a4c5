import { z } from 'zod';
import { SLUG_PATTERN } from '../../config/schema';
import { ms, strict, uniqueNames, wholeNumber } from '../common/options';

/** Every default of the options, beside the schema. */
export const BACNET_DEFAULTS = {
  /** BACnet/IP's UDP port (0xBAC0) */
  port: 47808,
  localAddress: '0.0.0.0',
  broadcastAddress: '255.255.255.255',
  timeoutMs: 2000,
  retries: 1,
  /** APDU size of a 1500-byte Ethernet frame; MS/TP devices behind a router take 480 or less */
  maxApdu: 1476,
  maxPropertiesPerRequest: 64,
  concurrency: 4,
  /** supervisory software writes below the operator's manual slot 8 (larger number, lower priority) */
  writePriority: 12,
  read: 'poll',
  covLifetimeS: 300,
  bbmdTtlS: 300,
} as const;

/** APDU sizes BACnet can announce (clause 20.1.2.5). */
export const APDU_SIZES = [50, 128, 206, 480, 1024, 1476] as const;

const enumOf = <T extends readonly [string, ...string[]]>(field: string, values: T) =>
  z.enum(values, { error: `${field}: expected one of ${values.join(', ')}` });

const host = (field: string) =>
  z
    .string({ error: `${field}: expected a host name or IPv4 address` })
    .min(1, `${field}: expected a host name or IPv4 address`);
const port = (field: string) => wholeNumber(field, 1, 65535, 'a UDP port 1–65535');

/** One BACnet device (a controller, a BMS gateway): where it is and how it is paced. */
export const bacnetDevice = strict({
  name: z
    .string({ error: 'name: expected a device name' })
    .regex(SLUG_PATTERN, 'name: expected a slug: letters, digits, "_", "." and "-", not starting with "." or "-"')
    .describe('device name, used in point addresses as `device=<name>` and in messages'),
  host: host('host')
    .optional()
    .describe(
      'the device’s IP address (or the router’s, for a device on a routed network); without it, deviceId is found by a broadcast Who-Is',
    ),
  port: port('port').default(BACNET_DEFAULTS.port).describe('UDP port, @default 47808'),
  deviceId: wholeNumber('deviceId', 0, 4_194_302, 'a device instance 0–4194302')
    .optional()
    .describe(
      'the device object’s instance; with host, checked by a unicast Who-Is before the first read; without, the device is found by a broadcast one',
    ),
  network: wholeNumber('network', 1, 65534, 'a BACnet network number 1–65534')
    .optional()
    .describe('for a device behind a BACnet router (MS/TP): its network number (NPDU DNET)'),
  mac: wholeNumber('mac', 0, 255, 'an MS/TP MAC address 0–255')
    .optional()
    .describe('its MAC address on that network (NPDU DADR), with network'),
  maxApdu: z
    .number({ error: `maxApdu: expected one of ${APDU_SIZES.join(', ')}` })
    .refine((n) => (APDU_SIZES as readonly number[]).includes(n), `maxApdu: expected one of ${APDU_SIZES.join(', ')}`)
    .optional()
    .describe(
      'largest APDU the device accepts, octets; ReadPropertyMultiple batches are sized to fit, @default the source maxApdu',
    ),
}).superRefine((d, ctx) => {
  if (d.host === undefined && d.deviceId === undefined)
    ctx.addIssue({
      code: 'custom',
      path: ['host'],
      message: `device "${d.name}": expected host, or deviceId to find it by a Who-Is broadcast`,
    });
  if (d.host === undefined && (d.network !== undefined || d.mac !== undefined))
    ctx.addIssue({
      code: 'custom',
      path: [d.network !== undefined ? 'network' : 'mac'],
      message: `network and mac need host (device "${d.name}"); a device found by Who-Is gets them from its I-Am`,
    });
  if ((d.network === undefined) !== (d.mac === undefined))
    ctx.addIssue({
      code: 'custom',
      path: [d.network === undefined ? 'network' : 'mac'],
      message: `network and mac go together (device "${d.name}"); expected both or neither`,
    });
});

export type BacnetDevice = z.infer<typeof bacnetDevice>;

/** Foreign-device registration with a BBMD, for a Plenum host on another IP subnet than the devices. */
export const bacnetBbmd = strict({
  host: host('bbmd.host'),
  port: port('bbmd.port').default(BACNET_DEFAULTS.port).describe('@default 47808'),
  ttlS: wholeNumber('bbmd.ttlS', 30, 65535, 'a whole number of seconds 30–65535')
    .default(BACNET_DEFAULTS.bbmdTtlS)
    .describe('time-to-live of the registration, renewed at half of it, @default 300'),
});

export const READ_MODES = ['poll', 'cov'] as const;

/** Options of a `bacnet` source. */
export const bacnetOptions = strict({
  devices: z
    .array(bacnetDevice, { error: 'devices: expected a list of {name, host, …}' })
    .min(1, 'devices: expected at least one device'),
  localAddress: z
    .string()
    .min(1)
    .default(BACNET_DEFAULTS.localAddress)
    .describe('address Plenum’s BACnet socket binds, @default 0.0.0.0'),
  localPort: port('localPort')
    .default(BACNET_DEFAULTS.port)
    .describe(
      'UDP port Plenum’s BACnet socket binds (devices answer to it; I-Am broadcasts arrive at 47808), @default 47808',
    ),
  broadcastAddress: z
    .string()
    .min(1)
    .default(BACNET_DEFAULTS.broadcastAddress)
    .describe('where a broadcast Who-Is goes: the subnet’s directed broadcast (10.20.0.255), @default 255.255.255.255'),
  bbmd: bacnetBbmd.optional().describe('register as a foreign device with this BBMD (routed networks)'),
  timeoutMs: ms('timeoutMs', 1, 60_000)
    .default(BACNET_DEFAULTS.timeoutMs)
    .describe('answer timeout per request (APDU timeout), ms, @default 2000'),
  retries: wholeNumber('retries', 0, 10, 'a whole number of retries 0–10')
    .default(BACNET_DEFAULTS.retries)
    .describe('repeats of a request after a timeout (never of a write), @default 1'),
  maxApdu: z
    .number({ error: `maxApdu: expected one of ${APDU_SIZES.join(', ')}` })
    .refine((n) => (APDU_SIZES as readonly number[]).includes(n), `maxApdu: expected one of ${APDU_SIZES.join(', ')}`)
    .default(BACNET_DEFAULTS.maxApdu)
    .describe('largest APDU the devices accept, octets, @default 1476'),
  maxPropertiesPerRequest: wholeNumber('maxPropertiesPerRequest', 1, 1000, 'a whole number 1–1000')
    .default(BACNET_DEFAULTS.maxPropertiesPerRequest)
    .describe('most properties in one ReadPropertyMultiple (fewer when the answer would not fit maxApdu), @default 64'),
  concurrency: wholeNumber('concurrency', 1, 64, 'a whole number 1–64')
    .default(BACNET_DEFAULTS.concurrency)
    .describe('devices read at the same time (each gets one request at a time), @default 4'),
  writePriority: wholeNumber(
    'writePriority',
    9,
    16,
    "a priority 9–16 (1–8 belong to life safety, critical equipment and the operator's manual slot 8)",
  )
    .default(BACNET_DEFAULTS.writePriority)
    .describe(
      'priority-array slot of writes (8 is the operator’s manual slot; 1–7 are life safety and critical equipment), @default 12',
    ),
  read: enumOf('read', READ_MODES)
    .default(BACNET_DEFAULTS.read)
    .describe(
      '`poll` (ReadPropertyMultiple every interval) or `cov` (SubscribeCOV, polled where refused), @default poll',
    ),
  covLifetimeS: wholeNumber('covLifetimeS', 10, 86_400, 'a whole number of seconds 10–86400')
    .default(BACNET_DEFAULTS.covLifetimeS)
    .describe('lifetime of each COV subscription, renewed at half of it, @default 300'),
}).superRefine((o, ctx) => uniqueNames(ctx, o.devices, ['devices'], 'device'));

export type BacnetOptions = z.infer<typeof bacnetOptions>;
export type BacnetOptionsInput = z.input<typeof bacnetOptions>;

/**
 * A device with the source's defaults filled in. A device configured without `host` (`byWhoIs`) has `host` ''
 * until a Who-Is for its deviceId is answered; the connector then sets host, port, network and mac from the I-Am
 * (and clears them again when the device stops answering, to look for it anew).
 */
export interface ResolvedDevice extends BacnetDevice {
  host: string;
  maxApdu: number;
  byWhoIs: boolean;
}

export function resolveDevice(o: BacnetOptions, d: BacnetDevice): ResolvedDevice {
  return { ...d, host: d.host ?? '', maxApdu: d.maxApdu ?? o.maxApdu, byWhoIs: d.host === undefined };
}

/** `127.0.0.1:47808 device 1001`, `device 1001 (by Who-Is, not found yet)` — for messages. */
export function deviceTarget(d: BacnetDevice): string {
  const id = d.deviceId !== undefined ? `device ${d.deviceId}` : '';
  if (!d.host) return `${id} (by Who-Is, not found yet)`;
  const found = (d as Partial<ResolvedDevice>).byWhoIs ? ' (found by Who-Is)' : '';
  return `${d.host}:${d.port}${d.network !== undefined ? ` net ${d.network} mac ${d.mac}` : ''}${id ? ` ${id}` : ''}${found}`;
}
