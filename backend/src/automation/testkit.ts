import type { SourcePoint } from '../connectors/types';

/**
 * A writable OT setpoint of CRAH crah1 (site s, hall h) over OPC UA, in °C, range 14–27 — what automation tests
 * write; `extra` makes it a measurement, another unit or range.
 */
export const setpointPoint = (id: string, extra: Partial<SourcePoint> = {}): SourcePoint =>
  ({
    id,
    name: id,
    domain: 'OT',
    quantity: 'temperature',
    unit: '°C',
    grafanaUnit: 'celsius',
    valueType: 'number',
    kind: 'setpoint',
    writable: true,
    location: { site: 's', hall: 'h', asset: 'crah1' },
    tags: [],
    source: { connector: 'opcua', source: 'ua', address: 'x' },
    sourceUnit: '°C',
    conversion: { scale: 1, offset: 0 },
    min: 14,
    max: 27,
    ...extra,
  }) as SourcePoint;
