/**
 * The hall as the simulation sees it, derived from a `Site` (the same topology `plenum.yaml` declares): racks in
 * file order with their cold aisle and CRAH zone, the CRAHs, the cold aisles they share, the CDU and the
 * chilled-water plant, and the asset ids that name points.
 */
import type { Asset, Facing, Hall, Site } from '@plenum/model';
import { SimConfigError } from './errors';

export interface RackLayout {
  /** 0-based position in file order (rows, then racks); Modbus unit id is `pduUnitId` */
  index: number;
  row: string;
  /** rack id; unique in the simulated hall (jobs and faults name racks by it) */
  id: string;
  x: number;
  y: number;
  facing: Facing;
  ratedKw: number;
  /** index of the CRAH whose zone this rack draws its air from */
  zone: number;
  /** first or last rack of its zone along the aisle: gets more of the zone's recirculation */
  aisleEnd: boolean;
  /** asset ids in this rack by role; unset when the rack has no such asset (its points are then not served) */
  assets: { pdu?: string; gpu?: string; env?: string };
  /** Modbus unit id of its PDU, 1-based in rack order over racks that have a PDU */
  pduUnitId?: number;
}

export interface HallLayout {
  site: string;
  hall: string;
  racks: RackLayout[];
  /** CRAH asset ids, in file order; zone i is served by crahs[i] */
  crahs: string[];
  /** per zone (CRAH), the indices of its racks */
  zoneRacks: number[][];
  /** per zone, the index of the cold aisle (in `aisles`) most of its racks face */
  zoneAisle: number[];
  /** per contained cold aisle, the zones (CRAHs) that blow into it: they share its pressure and its air */
  aisles: number[][];
  cdu: string;
  /**
   * asset id of the chilled-water plant: the hall's first asset of type `chiller`, else `plant1` (a plant the site
   * does not declare; its points are served all the same)
   */
  plant: string;
  /** whether the site declares the plant asset (`plant` is `plant1` otherwise) */
  plantDeclared: boolean;
  /**
   * asset id of the hall's BMS (its supervisory-control watchdog: `supervisor_heartbeat`, `supervisor_lease`, …):
   * the hall's first asset of type `other` with id `bms` or tag `bms`, else `bms` (served all the same)
   */
  bms: string;
  /** whether the site declares the BMS asset (`bms` is `bms` otherwise) */
  bmsDeclared: boolean;
}

/** Asset id of the chilled-water plant when the hall declares no asset of type `chiller`. */
export const DEFAULT_PLANT_ID = 'plant1';

/** Asset id of the hall's BMS when the hall declares none (an asset of type `other` with id or tag `bms`). */
export const DEFAULT_BMS_ID = 'bms';

export interface DefaultSiteOptions {
  /** @default 4 (rows A, B, C, …) */
  rows?: number;
  /** @default 10 */
  racksPerRow?: number;
  /** @default 4 */
  crahs?: number;
  /** rated kW per rack, @default 130 */
  ratedKw?: number;
}

/**
 * The sample hall of `plenum.yaml` (site `sim`, hall `hall1`): rows A, B, C, … of racks A01…, pairs of rows
 * sharing a cold aisle (fronts facing each other), hall-level crah1…crahN, cdu1 and the chilled-water plant plant1.
 */
export function defaultSite(o: DefaultSiteOptions = {}): Site {
  const rows = o.rows ?? 4;
  const perRow = o.racksPerRow ?? 10;
  const rackAssets = (): Asset[] => [
    { id: 'pdu', type: 'pdu', name: 'Rack PDU' },
    { id: 'gpu', type: 'gpu-server', name: 'GPU server' },
    { id: 'env', type: 'sensor', name: 'Rack environment sensor' },
  ];
  return {
    id: 'sim',
    name: 'Simulated AI data hall',
    timezone: 'UTC',
    halls: [
      {
        id: 'hall1',
        name: 'Hall 1',
        assets: [
          ...Array.from({ length: o.crahs ?? 4 }, (_, i): Asset => ({
            id: `crah${i + 1}`,
            type: 'crah',
            name: `CRAH ${i + 1}`,
          })),
          { id: 'cdu1', type: 'cdu', name: 'CDU 1' },
          { id: DEFAULT_PLANT_ID, type: 'chiller', name: 'Chilled-water plant' },
          { id: DEFAULT_BMS_ID, type: 'other', name: 'BMS supervisory interface', tags: ['bms'] },
        ],
        rows: Array.from({ length: rows }, (_, r) => {
          const id = String.fromCharCode(65 + r);
          return {
            id,
            name: `Row ${id}`,
            racks: Array.from({ length: perRow }, (_, k) => ({
              id: `${id}${String(k + 1).padStart(2, '0')}`,
              x: k + 1,
              y: 2 * r + 1,
              facing: r % 2 === 0 ? ('south' as const) : ('north' as const),
              ratedKw: o.ratedKw ?? 130,
              assets: rackAssets(),
            })),
          };
        }),
      },
    ],
  };
}

/** Builds the layout of one hall (`hallId`, else the first). Throws `SimConfigError` naming what is missing. */
export function buildLayout(site: Site, hallId?: string): HallLayout {
  const hall: Hall | undefined = hallId === undefined ? site.halls[0] : site.halls.find((h) => h.id === hallId);
  if (!hall) {
    throw new SimConfigError(
      `site "${site.id}" has no hall "${hallId ?? ''}"; expected one of ${site.halls.map((h) => h.id).join(', ')}`,
    );
  }
  const hallAssets = hall.assets ?? [];
  const crahs = hallAssets.filter((a) => a.type === 'crah' || a.type === 'crac').map((a) => a.id);
  const cdu = hallAssets.find((a) => a.type === 'cdu')?.id;
  const chiller = hallAssets.find((a) => a.type === 'chiller')?.id;
  if (crahs.length === 0 || cdu === undefined) {
    throw new SimConfigError(
      `hall "${hall.id}" needs hall-level assets of type crah (at least one) and cdu to be simulated; it has ${hallAssets.map((a) => `${a.id} (${a.type})`).join(', ') || 'none'}`,
    );
  }
  const racks: RackLayout[] = [];
  const seen = new Map<string, string>();
  let unit = 0;
  for (const row of hall.rows) {
    for (const rack of row.racks) {
      const other = seen.get(rack.id);
      if (other !== undefined) {
        throw new SimConfigError(
          `rack id "${rack.id}" appears in rows ${other} and ${row.id} of hall "${hall.id}"; the simulation names racks by id, so they must be unique in the hall`,
        );
      }
      seen.set(rack.id, row.id);
      const byType = (t: string) => rack.assets.find((a) => a.type === t)?.id;
      const pdu = byType('pdu');
      racks.push({
        index: racks.length,
        row: row.id,
        id: rack.id,
        x: rack.x,
        y: rack.y,
        facing: rack.facing ?? 'south',
        ratedKw: rack.ratedKw ?? 130,
        zone: 0,
        aisleEnd: false,
        assets: { pdu, gpu: byType('gpu-server') ?? byType('server'), env: byType('sensor') },
        pduUnitId: pdu === undefined ? undefined : ++unit,
      });
    }
  }
  if (racks.length === 0) throw new SimConfigError(`hall "${hall.id}" has no racks to simulate`);
  const bms = hallAssets.find((a) => a.type === 'other' && (a.id === DEFAULT_BMS_ID || a.tags?.includes('bms')));
  const taken = hallAssets.find((a) => a.id === DEFAULT_BMS_ID);
  if (!bms && taken) {
    throw new SimConfigError(
      `hall "${hall.id}": asset "${taken.id}" is of type ${taken.type}, but the simulation serves the hall's BMS as "${DEFAULT_BMS_ID}"; give that asset type other (it is then the BMS), or declare the BMS as an asset of type other tagged bms`,
    );
  }
  const zoneAisleKey = assignZones(racks, crahs.length);
  const zoneRacks = crahs.map((_, z) => racks.filter((r) => r.zone === z).map((r) => r.index));
  const aisleKeys = [...new Set(zoneAisleKey)].sort((a, b) => a - b);
  const zoneAisle = zoneAisleKey.map((k) => aisleKeys.indexOf(k));
  const aisles = aisleKeys.map((_, a) => zoneAisle.flatMap((za, z) => (za === a ? [z] : [])));
  return {
    site: site.id,
    hall: hall.id,
    racks,
    crahs,
    zoneRacks,
    zoneAisle,
    aisles,
    cdu,
    plant: chiller ?? DEFAULT_PLANT_ID,
    plantDeclared: chiller !== undefined,
    bms: bms?.id ?? DEFAULT_BMS_ID,
    bmsDeclared: bms !== undefined,
  };
}

/** The tile line in front of the rack (its cold aisle) and its position along that aisle. */
function coldAisle(r: RackLayout): { aisle: number; along: number } {
  // aisles along x (rows facing north/south) sort before aisles along y; 1e6 keeps the two apart
  switch (r.facing) {
    case 'south':
      return { aisle: r.y + 1, along: r.x };
    case 'north':
      return { aisle: r.y - 1, along: r.x };
    case 'east':
      return { aisle: 1e6 + r.x + 1, along: r.y };
    case 'west':
      return { aisle: 1e6 + r.x - 1, along: r.y };
  }
}

/**
 * Zones: racks sorted by cold aisle, then along it, cut into as many contiguous chunks as there are CRAHs, so
 * each CRAH serves one stretch of one aisle (the sample: crah1 A01–A05 + B01–B05, crah2 A06–A10 + B06–B10, …).
 * Returns, per zone, the key of the cold aisle most of its racks face (a zone empty of racks gets -1).
 */
function assignZones(racks: RackLayout[], zones: number): number[] {
  const keyed = racks.map((r) => ({ r, ...coldAisle(r) }));
  keyed.sort((a, b) => a.aisle - b.aisle || a.along - b.along || a.r.index - b.r.index);
  keyed.forEach((k, i) => (k.r.zone = Math.min(zones - 1, Math.floor((i * zones) / keyed.length))));
  for (let z = 0; z < zones; z++) {
    const inZone = keyed.filter((k) => k.r.zone === z);
    if (inZone.length === 0) continue;
    const lo = Math.min(...inZone.map((k) => k.along));
    const hi = Math.max(...inZone.map((k) => k.along));
    for (const k of inZone) k.r.aisleEnd = k.along === lo || k.along === hi;
  }
  return Array.from({ length: zones }, (_, z) => {
    const counts = new Map<number, number>();
    for (const k of keyed) if (k.r.zone === z) counts.set(k.aisle, (counts.get(k.aisle) ?? 0) + 1);
    let best = -1;
    let most = 0;
    for (const [aisle, c] of counts) if (c > most) [best, most] = [aisle, c];
    return best;
  });
}
