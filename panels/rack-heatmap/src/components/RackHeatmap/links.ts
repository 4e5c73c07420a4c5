import { LinkModel, locationUtil } from '@grafana/data';
import { locationService } from '@grafana/runtime';
import React from 'react';
import { FloorModel } from '../../data/model';

/**
 * Data links of rack `i`, from its first value that has a row (so `${__data.fields.rack}`, `${__value.raw}` read
 * that row), else from the layout's rack field.
 */
export function rackLinks(model: FloorModel, i: number): LinkModel[] {
  for (const c of model.table.channels) {
    const row = c.rowOf[i]!;
    if (row >= 0 && c.field.getLinks) {
      return c.field.getLinks({ valueRowIndex: row });
    }
  }
  return model.table.layout.rack.getLinks?.({ valueRowIndex: model.table.layoutRow[i] }) ?? [];
}

/**
 * Follows a link as Grafana's own link components do: the link's onClick when it has one; a link into Grafana
 * (relative, same tab) through locationService, so the dashboard changes without reloading the app; else the
 * browser's default.
 */
export function followLink(link: LinkModel, event?: React.MouseEvent) {
  if (link.onClick) {
    event?.preventDefault();
    link.onClick(event);
    return;
  }
  if (link.target !== '_blank' && link.href.startsWith('/')) {
    event?.preventDefault();
    locationService.push(locationUtil.stripBaseFromUrl(link.href));
    return;
  }
  if (!event) {
    window.open(link.href, link.target ?? '_self');
  }
}

/** Sets dashboard variable `name` to the rack, through the URL as Grafana's variable sync reads it (`var-<name>`). */
export function setRackVariable(name: string, rack: string) {
  locationService.partial({ [`var-${name}`]: rack }, true);
}
