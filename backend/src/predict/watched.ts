/**
 * What the detectors watch, resolved once from the site and its points: per CRAH, the CDU, the plant and per
 * rack, the point id of each signal they read (by the point id's last segment — the names plenum.yaml gives
 * them, listed in README.md), and the cooling zones that make racks peers. Pure: no I/O.
 */
import type { Site } from '@plenum/model';
import { globToRegExp } from '../catalog/glob';
import type { PredictionConfig } from './config';

export interface WatchedAsset {
  /** `<site>/<hall>/<row>/<rack>/<asset>`: the asset path a prediction names */
  path: string;
  /** asset id (crah1) or rack id (A05) for titles */
  label: string;
  /** signal name → point id, only the signals that exist */
  points: Record<string, string>;
}

export interface WatchedRack extends WatchedAsset {
  rack: string;
  row: string;
  /** index into `zones`, or -1 outside every zone */
  zone: number;
  ratedKw?: number;
}

export interface WatchedZone {
  crahs: WatchedAsset[];
  racks: WatchedRack[];
}

export interface WatchedHall {
  site: string;
  hall: string;
  crahs: WatchedAsset[];
  cdu?: WatchedAsset;
  plant?: WatchedAsset;
  racks: WatchedRack[];
  zones: WatchedZone[];
  /** every point id any detector reads */
  pointIds: string[];
}

/** Splits a point id into its asset path and signal; undefined for ids that are not six segments. */
function split(id: string): { path: string; signal: string } | undefined {
  const parts = id.split('/');
  if (parts.length !== 6) return undefined;
  return { path: parts.slice(0, 5).join('/'), signal: parts[5] as string };
}

export function watchHall(site: Site, known: readonly string[], cfg: PredictionConfig): WatchedHall {
  const hall = cfg.hall ? site.halls.find((h) => h.id === cfg.hall) : site.halls[0];
  if (!hall)
    throw new Error(
      `prediction.hall: no hall "${cfg.hall}" in the site; expected ${site.halls.map((h) => h.id).join(', ')}`,
    );
  const byAsset = new Map<string, Record<string, string>>();
  for (const id of known) {
    const s = split(id);
    // the prediction service's own anomaly-score series (scores.ts) are output, never a detector's input
    if (!s || s.signal.startsWith('anomaly_score')) continue;
    const m = byAsset.get(s.path) ?? {};
    m[s.signal] = id;
    byAsset.set(s.path, m);
  }
  const hallPath = `${site.id}/${hall.id}/-/-`;
  const asset = (id: string): WatchedAsset => ({
    path: `${hallPath}/${id}`,
    label: id,
    points: byAsset.get(`${hallPath}/${id}`) ?? {},
  });
  const hallAssets = hall.assets ?? [];
  const crahs = hallAssets.filter((a) => a.type === 'crah' || a.type === 'crac').map((a) => asset(a.id));
  const pick = (given: string | undefined, type: string, field: string) => {
    if (given) {
      if (!hallAssets.some((a) => a.id === given))
        throw new Error(`prediction.${field}: no hall asset "${given}" in hall ${hall.id}`);
      return asset(given);
    }
    const found = hallAssets.find((a) => a.type === type);
    return found ? asset(found.id) : undefined;
  };
  const cdu = pick(cfg.cdu, 'cdu', 'cdu');
  const plant = pick(cfg.plant, 'chiller', 'plant');
  const zoneRes = cfg.zones.map((z) => z.racks.map(globToRegExp));
  cfg.zones.forEach((z, i) =>
    z.crahs.forEach((c, j) => {
      if (!crahs.some((a) => a.label === c))
        throw new Error(
          `prediction.zones[${i}].crahs[${j}]: no CRAH "${c}" in hall ${hall.id}; expected ${crahs.map((a) => a.label).join(', ')}`,
        );
    }),
  );
  const racks: WatchedRack[] = hall.rows.flatMap((row) =>
    row.racks.map((r) => {
      const prefix = `${site.id}/${hall.id}/${row.id}/${r.id}/`;
      const points: Record<string, string> = {};
      // rack signals are named <asset>/<signal> (env/inlet_temp, pdu/power, gpu/temp) to keep assets apart
      for (const [path, m] of byAsset)
        if (path.startsWith(prefix))
          for (const [sig, id] of Object.entries(m)) points[`${path.slice(prefix.length)}/${sig}`] = id;
      const zone = cfg.zones.length === 0 ? 0 : zoneRes.findIndex((res) => res.some((re) => re.test(r.id)));
      return {
        path: `${site.id}/${hall.id}/${row.id}/${r.id}/env`,
        label: r.id,
        rack: r.id,
        row: row.id,
        zone,
        points,
        ...(r.ratedKw !== undefined && { ratedKw: r.ratedKw }),
      };
    }),
  );
  const zones: WatchedZone[] =
    cfg.zones.length === 0
      ? [{ crahs, racks }]
      : cfg.zones.map((z, i) => ({
          crahs: crahs.filter((c) => z.crahs.includes(c.label)),
          racks: racks.filter((r) => r.zone === i),
        }));
  const pointIds = [
    ...new Set(
      [...crahs, ...(cdu ? [cdu] : []), ...(plant ? [plant] : []), ...racks].flatMap((a) => Object.values(a.points)),
    ),
  ];
  return { site: site.id, hall: hall.id, crahs, cdu, plant, racks, zones, pointIds };
}

/** The asset path of a rack's asset: `pdu`, `gpu`, `env`. */
export function rackAsset(r: WatchedRack, asset: string): string {
  return r.path.replace(/\/env$/, `/${asset}`);
}
