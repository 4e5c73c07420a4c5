import React, { useMemo } from 'react';
import { Stack } from '@grafana/ui';
import type { Point, Site } from '@plenum/model';
import type { DataSource } from '../../datasource';
import { DOMAIN_OPTIONS, KIND_OPTIONS, QUANTITY_OPTIONS } from '../../data/editor-options';
import { pointSearch, TAG_SAMPLE_SIZE, tagOptions } from '../../data/editor-preview';
import { listValue } from '../../data/editor-query';
import { topologyOptions } from '../../data/editor-topology';
import type { PointSelector } from '../../types';
import { ListField } from '../fields/ListField';
import { TextField } from '../fields/TextField';
import { PointPreview } from './PointPreview';

interface Props {
  selector: PointSelector;
  datasource: DataSource;
  site?: Site;
  onChange: (selector: PointSelector) => void;
}

type ListKey = Exclude<keyof PointSelector, 'text'>;

const EMPTY_SITE: Site = { id: '', halls: [] };

/** The point browser: every set field narrows the points (AND), values inside a field are alternatives (OR). */
export function SelectorEditor({ selector, datasource, site, onChange }: Props) {
  const topology = useMemo(
    () => topologyOptions(site ?? EMPTY_SITE, { hall: selector.hall, row: selector.row, rack: selector.rack }),
    [site, selector.hall, selector.row, selector.rack]
  );

  // tags are suggested from the points the rest of the selector finds, fetched once per selector
  const tagScope = JSON.stringify(datasource.interpolateSelector({ ...selector, tags: undefined }));
  const loadTags = useMemo(() => {
    let tags: Promise<Point[]> | undefined;
    return async (input: string) => {
      tags ??= datasource.api.points(pointSearch(JSON.parse(tagScope), TAG_SAMPLE_SIZE)).then(
        (page) => page.points,
        (err: unknown) => {
          tags = undefined; // ask again the next time the list opens
          throw err;
        }
      );
      return tagOptions(await tags, input);
    };
  }, [datasource, tagScope]);

  const list = (key: ListKey) => ({
    values: selector[key],
    onChange: (values: string[]) => onChange({ ...selector, [key]: listValue(values) }),
  });

  return (
    <Stack direction="column" gap={0}>
      <Stack wrap="wrap" gap={0}>
        <ListField label="Hall" testId="plenum-hall" options={topology.hall} custom {...list('hall')} />
        <ListField label="Row" testId="plenum-row" options={topology.row} custom {...list('row')} />
        <ListField label="Rack" testId="plenum-rack" options={topology.rack} custom {...list('rack')} />
        <ListField label="Asset" testId="plenum-asset" options={topology.asset} custom {...list('asset')} />
      </Stack>
      <Stack wrap="wrap" gap={0}>
        <ListField label="Quantity" testId="plenum-quantity" options={QUANTITY_OPTIONS} {...list('quantity')} />
        <ListField label="Domain" testId="plenum-domain" options={DOMAIN_OPTIONS} {...list('domain')} />
        <ListField label="Kind" testId="plenum-kind" options={KIND_OPTIONS} {...list('kind')} />
      </Stack>
      <Stack wrap="wrap" gap={0}>
        <ListField
          label="Tags"
          tooltip="Every tag must be present (inlet, supply, gpu, …)"
          testId="plenum-tags"
          options={loadTags}
          custom
          {...list('tags')}
        />
        <ListField
          label="Point ids"
          tooltip="Globs over point ids <site>/<hall>/<row>/<rack>/<asset>/<signal>: * within a segment, ** across"
          testId="plenum-ids"
          options={[]}
          custom
          placeholder="e.g. **/crah*/supplyTemp"
          {...list('ids')}
        />
        <TextField
          label="Text"
          tooltip="Case-insensitive part of a point's id or name"
          testId="plenum-text"
          value={selector.text}
          onCommit={(text) => onChange({ ...selector, text: text || undefined })}
          width={24}
        />
      </Stack>
      <PointPreview datasource={datasource} selector={selector} />
    </Stack>
  );
}
