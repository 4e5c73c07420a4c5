/**
 * Site topology: site → hall → row → rack → asset. Ids are short slugs (`[A-Za-z0-9_.-]+`) unique within
 * their parent; a rack's global key is `<hall>/<row>/<rack>` and a point id starts with
 * `<site>/<hall>/<row>/<rack>/<asset>`.
 */

/** Which way the rack's front (air intake) faces on the floor plan; the cold aisle is on that side. */
export type Facing = 'north' | 'south' | 'east' | 'west';

export const FACINGS: readonly Facing[] = ['north', 'south', 'east', 'west'];

export type AssetType =
  | 'server'
  | 'gpu-server'
  | 'switch'
  | 'pdu'
  | 'meter'
  | 'crah'
  | 'crac'
  | 'cdu'
  | 'chiller'
  | 'ups'
  | 'sensor'
  | 'other';

export const ASSET_TYPES: readonly AssetType[] = [
  'server',
  'gpu-server',
  'switch',
  'pdu',
  'meter',
  'crah',
  'crac',
  'cdu',
  'chiller',
  'ups',
  'sensor',
  'other',
];

export interface Asset {
  id: string;
  type: AssetType;
  name?: string;
  tags?: string[];
}

export interface Rack {
  id: string;
  /** floor grid column, in tiles (one tile ≈ 600 mm), 0 at the hall's west wall */
  x: number;
  /** floor grid row, in tiles, 0 at the hall's north wall */
  y: number;
  /** width and depth in tiles, @default 1 */
  w?: number;
  h?: number;
  facing?: Facing;
  /** rated IT capacity in kW, used for headroom */
  ratedKw?: number;
  label?: string;
  assets: Asset[];
}

export interface Row {
  id: string;
  name?: string;
  racks: Rack[];
}

export interface Hall {
  id: string;
  name?: string;
  rows: Row[];
  /** assets that belong to the hall rather than a rack: CRAHs, CDUs, … (their location has row/rack unset) */
  assets?: Asset[];
}

export interface Site {
  id: string;
  name?: string;
  timezone?: string;
  halls: Hall[];
}

/** Where a point or an event sits in the topology; every level below the first unset one is unset too. */
export interface Location {
  site: string;
  hall?: string;
  row?: string;
  rack?: string;
  asset?: string;
}
