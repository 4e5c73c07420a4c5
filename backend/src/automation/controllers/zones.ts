/**
 * Cooling zones (pure): which CRAHs serve which racks — a contained cold aisle and its units — from a
 * controller's options, resolved against the site's racks. Point ids follow the site's convention:
 * `<site>/<hall>/-/-/<crah>/<signal>` for hall-level units, `<site>/<hall>/<row>/<rack>/<asset>/<signal>`.
 */
import { z } from 'zod';
import { globToRegExp } from '../../catalog/glob';
import { slug, strict } from '../../config/schema-parts';
import type { DecisionView } from '../decider';

export const ZoneSchema = strict({
  crahs: z.array(slug()).min(1).describe('the CRAH asset ids that blow into the zone (its contained cold aisle)'),
  racks: z.array(z.string().min(1).max(500)).min(1).max(10_000).describe('rack ids or globs (A*, B0?) the zone serves'),
});
export type ZoneOptions = z.output<typeof ZoneSchema>;

export interface Zone {
  index: number;
  hall: string;
  crahs: string[];
  racks: Array<{ id: string; row: string }>;
}

export function resolveZones(zones: readonly ZoneOptions[], hall: string, view: Pick<DecisionView, 'racks'>): Zone[] {
  const racks = view.racks().filter((r) => r.hall === hall);
  return zones.map((z, index) => {
    const res = z.racks.map(globToRegExp);
    return {
      index,
      hall,
      crahs: z.crahs,
      racks: racks.filter((r) => res.some((re) => re.test(r.id))).map((r) => ({ id: r.id, row: r.row })),
    };
  });
}

/** a point id template filled: `{site}/{hall}/-/-/{crah}/fan_min` with crah → crah1; unknown names stay */
export const fill = (tpl: string, v: Record<string, string>) =>
  tpl.replace(/\{(\w+)\}/g, (_, k: string) => v[k] ?? `{${k}}`);

export const hallPoint = (site: string, hall: string, asset: string, signal: string) =>
  `${site}/${hall}/-/-/${asset}/${signal}`;
export const rackPoint = (site: string, hall: string, row: string, rack: string, asset: string, signal: string) =>
  `${site}/${hall}/${row}/${rack}/${asset}/${signal}`;

/** A value moved toward `target` by at most `ratePerMin × minutes`. */
export function approach(from: number, target: number, ratePerMin: number, minutes: number): number {
  const max = ratePerMin * Math.max(0, minutes);
  return from + Math.max(-max, Math.min(max, target - from));
}

/**
 * The air side of a zone, shared by the controllers: a rack draws `rackAirflowMin` idle and `rackAirflowPerKw`
 * per kW of the heat it rejects to air; a CRAH at full fan moves `crahAirflow`.
 */
export const AirflowFields = {
  airShare: z
    .number()
    .min(0)
    .max(1)
    .default(0.35)
    .describe('share of rack power rejected to air (the rest to liquid), @default 0.35'),
  rackAirflowPerKw: z
    .number()
    .positive()
    .default(0.046)
    .describe('server airflow per kW of air-side heat, m³/s, @default 0.046'),
  rackAirflowMin: z.number().min(0).default(0.3).describe('server airflow of an idle rack, m³/s, @default 0.3'),
  crahAirflow: z.number().positive().default(30).describe('one CRAH at 100 % fan, m³/s, @default 30'),
};
export interface Airflow {
  airShare: number;
  rackAirflowPerKw: number;
  rackAirflowMin: number;
  crahAirflow: number;
}

/** the airflow a rack draws at `kw`, m³/s */
export const rackAirflow = (a: Airflow, kw: number) => a.rackAirflowMin + a.rackAirflowPerKw * kw * a.airShare;

/** the rack power at which `racks` racks draw `airflow` m³/s in all, kW (0 when even idle racks need more) */
export const kwForAirflow = (a: Airflow, racks: number, airflow: number) =>
  Math.max(0, (airflow / racks - a.rackAirflowMin) / (a.rackAirflowPerKw * a.airShare));
