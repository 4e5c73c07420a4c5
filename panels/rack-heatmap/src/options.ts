import { FieldType, PanelOptionsEditorBuilder } from '@grafana/data';
import { FIELD_ALIASES } from './data/fields';
import { findPredictions } from './data/predictions';
import { DEFAULT_OPTIONS, FieldNames, RackHeatmapOptions } from './types';

/** Field pickers: option key, label, what it is for, whether it must be numeric. */
const FIELD_PICKERS: Array<{ key: keyof FieldNames; name: string; description: string; numeric?: boolean }> = [
  { key: 'rack', name: 'Rack', description: 'Rack id, the join key of layout and values' },
  { key: 'x', name: 'X', description: 'Floor grid column, in tiles', numeric: true },
  { key: 'y', name: 'Y', description: 'Floor grid row, in tiles', numeric: true },
  {
    key: 'value',
    name: 'Value',
    description: 'Colour by this field; auto: every numeric field of the values frame(s)',
  },
  { key: 'w', name: 'Width', description: 'Rack width in tiles (default 1)', numeric: true },
  { key: 'h', name: 'Depth', description: 'Rack depth in tiles (default 1)', numeric: true },
  { key: 'row', name: 'Row', description: 'Row name, drawn left of the row' },
  { key: 'hall', name: 'Hall', description: 'Hall name; halls are drawn side by side' },
  { key: 'facing', name: 'Facing', description: 'north / south / east / west: where rack fronts face, for aisles' },
  { key: 'label', name: 'Label', description: 'Text on the tile (default: the rack id)' },
  { key: 'time', name: 'Time', description: 'Time of each value, for stale detection' },
];

const FIELDS = 'Fields';
const LAYOUT = 'Layout';
const TEXT = 'Text';
const COLOR = 'Colour';
const LEGEND = 'Legend';
const INTERACTION = 'Interaction';
const PREDICTIONS = 'Predictions';

/** The options pane, by category; every default comes from DEFAULT_OPTIONS. */
export function buildOptions(builder: PanelOptionsEditorBuilder<RackHeatmapOptions>) {
  const d = DEFAULT_OPTIONS;
  for (const p of FIELD_PICKERS) {
    const aliases = p.key === 'value' || p.key === 'time' ? '' : ` (auto: ${FIELD_ALIASES[p.key].join(', ')})`;
    builder.addFieldNamePicker({
      path: `fields.${p.key}`,
      name: p.name,
      description: p.description + aliases,
      category: [FIELDS],
      defaultValue: d.fields[p.key],
      settings: {
        filter: (f) => (p.key === 'time' ? f.type === FieldType.time : !p.numeric || f.type === FieldType.number),
        placeholderText: 'Auto',
      },
    });
  }
  builder
    .addTextInput({
      path: 'layout.hall',
      name: 'Hall',
      description: 'Show only this hall; empty shows every hall side by side',
      category: [LAYOUT],
      defaultValue: d.layout.hall,
    })
    .addBooleanSwitch({
      path: 'layout.splitValues',
      name: 'Split tiles',
      description: 'Several values per rack (e.g. top, middle, bottom inlet) as stacked slices of the tile',
      category: [LAYOUT],
      defaultValue: d.layout.splitValues,
    })
    .addBooleanSwitch({
      path: 'layout.showAisles',
      name: 'Aisles',
      description: 'Hot and cold aisles between rows whose fronts or backs face each other',
      category: [LAYOUT],
      defaultValue: d.layout.showAisles,
    })
    .addBooleanSwitch({
      path: 'layout.showRowNames',
      name: 'Row names',
      category: [LAYOUT],
      defaultValue: d.layout.showRowNames,
    })
    .addBooleanSwitch({
      path: 'text.showLabels',
      name: 'Rack labels',
      description: 'Drawn where they fit the tile',
      category: [TEXT],
      defaultValue: d.text.showLabels,
    })
    .addBooleanSwitch({
      path: 'text.showValues',
      name: 'Values',
      description: 'Drawn where they fit the tile',
      category: [TEXT],
      defaultValue: d.text.showValues,
    })
    .addBooleanSwitch({
      path: 'text.tvMode',
      name: 'TV mode',
      description: 'For NOC walls: large type, no hover tooltip, last updated time',
      category: [TEXT],
      defaultValue: d.text.tvMode,
    })
    .addRadio({
      path: 'color.preset',
      name: 'Colours',
      description: 'ASHRAE: server inlet bands, recommended 18–27 °C, allowable 15–32 °C',
      category: [COLOR],
      defaultValue: d.color.preset,
      settings: {
        options: [
          { value: 'field', label: 'Field config' },
          { value: 'ashrae', label: 'ASHRAE inlet' },
        ],
      },
    })
    .addTextInput({
      path: 'color.staleAfter',
      name: 'Stale after',
      description: 'Values older than this at the end of the time range are drawn as stale (e.g. 10m); empty = never',
      category: [COLOR],
      defaultValue: d.color.staleAfter,
    })
    .addBooleanSwitch({ path: 'legend.show', name: 'Legend', category: [LEGEND], defaultValue: d.legend.show })
    .addRadio({
      path: 'legend.placement',
      name: 'Placement',
      category: [LEGEND],
      defaultValue: d.legend.placement,
      settings: {
        options: [
          { value: 'bottom', label: 'Bottom' },
          { value: 'right', label: 'Right' },
        ],
      },
      showIf: (o) => o.legend.show,
    })
    .addBooleanSwitch({
      path: 'interaction.tooltip',
      name: 'Tooltip',
      description: 'On hover (never in TV mode); a click pins it with the data links',
      category: [INTERACTION],
      defaultValue: d.interaction.tooltip,
    })
    .addBooleanSwitch({
      path: 'interaction.sparkline',
      name: 'Sparkline',
      description: 'Last hour in the tooltip, from any time series labelled rack=<id>',
      category: [INTERACTION],
      defaultValue: d.interaction.sparkline,
      showIf: (o) => o.interaction.tooltip,
    })
    .addTextInput({
      path: 'interaction.variable',
      name: 'Set variable',
      description: 'Dashboard variable a click sets to the rack id (name without $)',
      category: [INTERACTION],
      defaultValue: d.interaction.variable,
    })
    .addBooleanSwitch({
      path: 'interaction.zoom',
      name: 'Zoom and pan',
      description: 'Wheel zooms, drag pans, double-click fits the hall again',
      category: [INTERACTION],
      defaultValue: d.interaction.zoom,
    })
    .addBooleanSwitch({
      path: 'predictions.show',
      name: 'Show predictions',
      description:
        'Mark racks with an open prediction (a corner badge in its severity colour) and list time to limit, diagnosis and severity in the tooltip; from a frame with rack, severity and title or lead, e.g. the Plenum events query for open prediction events',
      category: [PREDICTIONS],
      defaultValue: d.predictions.show,
      // only offered when the panel has such a frame (always when the editor has no data to look at)
      showIf: (o, data) => !data || findPredictions(data, o.fields.rack) !== undefined,
    });
}
