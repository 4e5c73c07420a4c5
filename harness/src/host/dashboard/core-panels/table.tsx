import { PanelPlugin, type PanelProps } from '@grafana/data';
import type { TableCellHeight } from '@grafana/schema';
import { Table, type TableSortByFieldState } from '@grafana/ui';
import { coreMeta, customField, NoData, option } from './common';

interface TableOptions {
  showHeader: boolean;
  /** `sm`, `md` or `lg` */
  cellHeight: TableCellHeight;
  sortBy: TableSortByFieldState[];
  /** which frame to show when the answer has several. @default 0 */
  frameIndex: number;
}

function TablePanel({
  data,
  options,
  width,
  height,
  timeRange,
  fieldConfig,
  replaceVariables,
}: PanelProps<TableOptions>) {
  const frame = data.series[options.frameIndex] ?? data.series[0];
  if (!frame || frame.length === 0) return <NoData />;
  return (
    <Table
      data={frame}
      width={width}
      height={height}
      noHeader={!options.showHeader}
      cellHeight={options.cellHeight}
      initialSortBy={options.sortBy}
      timeRange={timeRange}
      fieldConfig={fieldConfig}
      replaceVariables={replaceVariables}
    />
  );
}

/** Grafana's `table` panel, drawn with @grafana/ui's Table. */
export function tablePlugin(): PanelPlugin {
  const plugin = new PanelPlugin<TableOptions>(TablePanel)
    .useFieldConfig({
      useCustomConfig: (builder) => {
        customField(builder as never, 'align', 'auto');
        customField(builder as never, 'cellOptions', { type: 'auto' });
        customField(builder as never, 'inspect', false);
        customField(builder as never, 'width', undefined);
        customField(builder as never, 'minWidth', undefined);
        customField(builder as never, 'filterable', false);
        customField(builder as never, 'hidden', false);
      },
    })
    .setPanelOptions((builder) => {
      option(builder as never, 'showHeader', true);
      option(builder as never, 'cellHeight', 'sm');
      option(builder as never, 'sortBy', []);
      option(builder as never, 'frameIndex', 0);
    });
  plugin.meta = coreMeta('table', 'Table');
  return plugin as unknown as PanelPlugin;
}
