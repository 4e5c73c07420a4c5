import type { Asset, Site } from '@plenum/model';
import type { EditorOption } from './editor-options';
import { isTemplateRef } from './editor-variables';

/** The levels already chosen, which narrow the levels below them. */
export interface TopologyScope {
  hall?: string[];
  row?: string[];
  rack?: string[];
}

export interface TopologyOptions {
  hall: EditorOption[];
  row: EditorOption[];
  rack: EditorOption[];
  asset: EditorOption[];
}

/** places named in an option's description before "+N more" */
const MAX_PLACES = 3;

/** An unset level, or one holding a variable (unknown until the dashboard runs), does not narrow. */
const within = (chosen: string[] | undefined, id: string) =>
  !chosen?.length || chosen.some(isTemplateRef) || chosen.includes(id);

/** Collects options by id: a rack id may repeat in every row, so one option lists where it occurs. */
class OptionSet {
  private readonly byId = new Map<string, { label?: string; places: string[] }>();

  add(id: string, label: string | undefined, place: string) {
    const entry = this.byId.get(id) ?? { label, places: [] };
    entry.places.push(place);
    this.byId.set(id, entry);
  }

  options(): EditorOption[] {
    return [...this.byId].map(([value, { label, places }]) => {
      const more = places.length > MAX_PLACES ? ` +${places.length - MAX_PLACES} more` : '';
      const where = places.slice(0, MAX_PLACES).join(', ') + more;
      return { value, label: value, description: label && label !== value ? `${label} · ${where}` : where };
    });
  }
}

const assetLabel = (a: Asset) => a.name ?? a.type;

/** Halls, rows, racks and assets of the site, each level narrowed by the levels chosen above it. */
export function topologyOptions(site: Site, scope: TopologyScope = {}): TopologyOptions {
  const halls = new OptionSet();
  const rows = new OptionSet();
  const racks = new OptionSet();
  const assets = new OptionSet();
  for (const hall of site.halls) {
    halls.add(hall.id, hall.name, site.name ?? site.id);
    if (!within(scope.hall, hall.id)) {
      continue;
    }
    // hall-level assets (CRAHs, CDUs) have no row or rack, so a chosen row or rack excludes them
    if (!scope.row?.length && !scope.rack?.length) {
      for (const asset of hall.assets ?? []) {
        assets.add(asset.id, assetLabel(asset), hall.id);
      }
    }
    for (const row of hall.rows) {
      rows.add(row.id, row.name, hall.id);
      if (!within(scope.row, row.id)) {
        continue;
      }
      for (const rack of row.racks) {
        racks.add(rack.id, rack.label, `${hall.id}/${row.id}`);
        if (!within(scope.rack, rack.id)) {
          continue;
        }
        for (const asset of rack.assets) {
          assets.add(asset.id, assetLabel(asset), `${hall.id}/${row.id}/${rack.id}`);
        }
      }
    }
  }
  return { hall: halls.options(), row: rows.options(), rack: racks.options(), asset: assets.options() };
}
