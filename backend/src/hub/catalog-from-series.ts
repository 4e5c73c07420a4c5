/**
 * Pure: the hub's catalog from the store's series (labels as the edges' remote write names them,
 * promql/series-model.ts) and its topology from the hub's own `site:` plus whatever racks the labels add.
 */
import {
  CANONICAL_UNITS,
  DOMAINS,
  POINT_KINDS,
  QUANTITIES,
  type Domain,
  type Hall,
  type Point,
  type PointKind,
  type Quantity,
  type Site,
} from '@plenum/model';
import { metricName, QUALITY_METRIC } from '../promql/series-model';

/** The connector name hub points carry: they are read from the store, not from a device. */
export const HUB_CONNECTOR = 'hub-store';

export interface SeriesPoints {
  points: Point[];
  /** series that are not Plenum points (other metrics, a missing label), with why; counted in health */
  skipped: Array<{ labels: Record<string, string>; reason: string }>;
}

/**
 * One point per value series (`plenum_quality` series are skipped: they describe points, they are not ones).
 * What the labels cannot say is set to what a store reader can know: `name` unset, `valueType` number (booleans
 * travel as 0/1), `writable` false (the hub never writes), `source` the `edge` external label when the edge sets
 * one, `connector` `hub-store`, `address` the series name. Two series with one `point` label (an edge whose
 * externalLabels changed) are one point: the first kept.
 */
export function pointsFromSeries(series: ReadonlyArray<Record<string, string>>): SeriesPoints {
  const byId = new Map<string, Point>();
  const skipped: SeriesPoints['skipped'] = [];
  for (const labels of series) {
    const name = labels.__name__;
    if (name === QUALITY_METRIC) continue;
    const id = labels.point;
    const quantity = labels.quantity as Quantity | undefined;
    const why = !id
      ? 'no point label'
      : !quantity || !QUANTITIES.includes(quantity)
        ? `quantity ${JSON.stringify(labels.quantity)} is not one of Plenum's`
        : name !== metricName(quantity)
          ? `series ${name} is not ${metricName(quantity)}, the name of quantity ${quantity}`
          : !labels.site
            ? 'no site label'
            : undefined;
    if (why) {
      skipped.push({ labels, reason: why });
      continue;
    }
    if (byId.has(id!)) continue;
    const unit = CANONICAL_UNITS[quantity!];
    const location: Point['location'] = { site: labels.site! };
    if (labels.hall) location.hall = labels.hall;
    if (labels.row) location.row = labels.row;
    if (labels.rack) location.rack = labels.rack;
    if (labels.asset) location.asset = labels.asset;
    byId.set(id!, {
      id: id!,
      domain: DOMAINS.includes(labels.domain as Domain) ? (labels.domain as Domain) : 'OT',
      quantity: quantity!,
      unit: unit.symbol,
      grafanaUnit: unit.grafanaUnit,
      valueType: 'number',
      kind: POINT_KINDS.includes(labels.kind as PointKind) ? (labels.kind as PointKind) : 'measurement',
      writable: false,
      location,
      tags: labels.tags ? labels.tags.split(',').filter((t) => t !== '') : [],
      source: { connector: HUB_CONNECTOR, source: labels.edge ?? '', address: name! },
    });
  }
  return { points: [...byId.values()], skipped };
}

/**
 * The hub's topology: the configured site (rack positions, sizes, rated kW come only from there) with every hall,
 * row and rack that points name but the config lacks appended — a new rack at the end of its row, one tile right
 * of the row's last, rows one tile apart — so a hall an edge adds appears at once (deviation: no real floor plan).
 */
export function mergeTopology(configured: Site, points: readonly Point[]): Site {
  const site: Site = structuredClone(configured);
  const hallOf = (id: string): Hall => {
    let h = site.halls.find((x) => x.id === id);
    if (!h) site.halls.push((h = { id, rows: [] }));
    return h;
  };
  for (const p of points) {
    const { hall, row, rack } = p.location;
    if (!hall) continue;
    const h = hallOf(hall);
    if (!row || !rack) continue;
    let r = h.rows.find((x) => x.id === row);
    if (!r) {
      r = { id: row, racks: [] };
      h.rows.push(r);
    }
    if (r.racks.some((x) => x.id === rack)) continue;
    const rowIndex = h.rows.indexOf(r);
    const last = r.racks.at(-1);
    r.racks.push({ id: rack, x: last ? last.x + (last.w ?? 1) : 0, y: last ? last.y : rowIndex * 2, assets: [] });
  }
  return site;
}
