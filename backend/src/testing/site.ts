import type { Point, Site } from '@plenum/model';
import type { SourcePoint } from '../connectors/types';

/** A two-rack hall with inlet temperature, PDU power, a state and a CRAH fan: small enough to reason about. */
export const TEST_SITE: Site = {
  id: 's',
  halls: [
    {
      id: 'h1',
      assets: [{ id: 'crah1', type: 'crah' }],
      rows: [
        {
          id: 'A',
          racks: [
            {
              id: 'A01',
              x: 1,
              y: 1,
              facing: 'south',
              ratedKw: 100,
              assets: [
                { id: 'pdu', type: 'pdu' },
                { id: 'env', type: 'sensor' },
              ],
            },
            {
              id: 'A02',
              x: 2,
              y: 1,
              facing: 'south',
              ratedKw: 100,
              assets: [
                { id: 'pdu', type: 'pdu' },
                { id: 'env', type: 'sensor' },
              ],
            },
          ],
        },
      ],
    },
  ],
};

function point(loc: Point['location'], signal: string, extra: Partial<SourcePoint>): SourcePoint {
  const p: SourcePoint = {
    id: [loc.site, loc.hall, loc.row ?? '-', loc.rack ?? '-', loc.asset, signal].join('/'),
    domain: 'OT',
    quantity: 'temperature',
    unit: '°C',
    grafanaUnit: 'celsius',
    valueType: 'number',
    kind: 'measurement',
    writable: false,
    location: loc,
    tags: [],
    source: { connector: 'generator', source: 'test', address: '' },
    sourceUnit: '°C',
    conversion: { scale: 1, offset: 0 },
    ...extra,
  };
  return p;
}

export const TEST_POINTS: SourcePoint[] = ['A01', 'A02']
  .flatMap((rack) => {
    const base = { site: 's', hall: 'h1', row: 'A', rack };
    return [
      point({ ...base, asset: 'env' }, 'inlet_temp', {
        name: `${rack} inlet`,
        tags: ['temp', 'inlet'],
        sourceUnit: '°F',
        conversion: { scale: 5 / 9, offset: (-32 * 5) / 9 },
      }),
      point({ ...base, asset: 'pdu' }, 'power', {
        quantity: 'power',
        unit: 'kW',
        grafanaUnit: 'kwatt',
        domain: 'IT',
        tags: ['power'],
      }),
      point({ ...base, asset: 'pdu' }, 'breaker', {
        quantity: 'state',
        unit: '',
        grafanaUnit: 'none',
        valueType: 'boolean',
        kind: 'status',
      }),
    ];
  })
  .concat(
    point({ site: 's', hall: 'h1', asset: 'crah1' }, 'fan_speed', {
      quantity: 'speed',
      unit: '%',
      grafanaUnit: 'percent',
    }),
  );
