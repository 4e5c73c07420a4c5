/** Test helpers of the bacnet connector (not shipped code): free UDP ports, points, the twin's BACnet face. */
import type { ValueType } from '@plenum/model';
import type { SourcePoint } from '../types';
import { HallModel } from '../../sim/model';
import { SimBacnetServer, type SimBacnetOptions } from '../../sim/bacnet/bacnet-server';

import { freeUdpPort } from '../../common/free-port';

export { expectNoUdpLeaks } from '../snmp/testkit';
/** BACnet's library cannot bind port 0 (it takes 47808): tests pick a free port first */
export { freeUdpPort };

/** A configured point reading `address` in `unit`. */
export function bacnetPoint(
  id: string,
  address: string,
  unit: string,
  quantity: SourcePoint['quantity'],
  extra: { valueType?: ValueType; writable?: boolean; writeAddress?: string } = {},
): SourcePoint {
  return {
    id,
    domain: 'OT',
    quantity,
    unit,
    grafanaUnit: 'none',
    valueType: extra.valueType ?? 'number',
    kind: extra.writable ? 'setpoint' : 'measurement',
    writable: extra.writable ?? false,
    location: { site: 's' },
    tags: [],
    source: {
      connector: 'bacnet',
      source: 'test',
      address,
      ...(extra.writeAddress && { writeAddress: extra.writeAddress }),
    },
    sourceUnit: unit,
    conversion: { scale: 1, offset: 0 },
  };
}

export const T0 = Date.UTC(2026, 0, 1, 12);

/** The twin's model settled a minute, and its BACnet face on a free loopback port. */
export async function startTwinFace(
  opts: Partial<SimBacnetOptions> = {},
): Promise<{ model: HallModel; face: SimBacnetServer }> {
  const model = new HallModel({ startMs: T0, jobSchedule: 'none' });
  model.advanceTo(T0 + 60_000);
  const face = await new SimBacnetServer(model, { port: await freeUdpPort(), ...opts }).start();
  return { model, face };
}
