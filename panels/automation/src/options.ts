/** The panel's options in Grafana's options pane, grouped by category; defaults come from DEFAULT_OPTIONS. */
import type { PanelOptionsEditorBuilder } from '@grafana/data';
import { DatasourceEditor } from './components/Options/DatasourceEditor';
import { DEFAULT_OPTIONS as D, LIMITS, type AutomationOptions } from './types';

const DATA = ['Data'];
const SECTIONS = ['Sections'];
const CONTROLS = ['Controls'];
const DISPLAY = ['Display'];

export function buildOptions(builder: PanelOptionsEditorBuilder<AutomationOptions>): void {
  builder
    .addCustomEditor({
      id: 'datasource',
      path: 'datasource',
      name: 'Plenum data source',
      description:
        'Whose automation to show and operate, through its proxy routes (read token; operate token for Editors). Empty: the default Plenum data source.',
      category: DATA,
      defaultValue: D.datasource,
      editor: DatasourceEditor,
    })
    .addNumberInput({
      path: 'pollS',
      name: 'Refresh every (s)',
      description: 'How often the panel reads rules, leases, proposals and actions again.',
      category: DATA,
      defaultValue: D.pollS,
      settings: { min: LIMITS.pollS.min, max: LIMITS.pollS.max, integer: true },
    })
    .addBooleanSwitch({
      path: 'showRules',
      name: 'Rules',
      description: 'Each rule with its mode, state, summary and the points it holds.',
      category: SECTIONS,
      defaultValue: D.showRules,
    })
    .addBooleanSwitch({
      path: 'showProposals',
      name: 'Proposals',
      description: 'Writes waiting for approval (rules in approve mode), and the latest decided.',
      category: SECTIONS,
      defaultValue: D.showProposals,
    })
    .addBooleanSwitch({
      path: 'showLeases',
      name: 'Leases',
      description: 'Points Plenum holds: owner, value, what they return to, time left.',
      category: SECTIONS,
      defaultValue: D.showLeases,
    })
    .addBooleanSwitch({
      path: 'showActions',
      name: 'Recent actions',
      description: "Automation events of the dashboard's time range: before → after, actor, verdict.",
      category: SECTIONS,
      defaultValue: D.showActions,
    })
    .addNumberInput({
      path: 'actionsLimit',
      name: 'Actions listed',
      category: SECTIONS,
      defaultValue: D.actionsLimit,
      settings: { min: LIMITS.actionsLimit.min, max: LIMITS.actionsLimit.max, integer: true },
      showIf: (o) => o.showActions,
    })
    .addBooleanSwitch({
      path: 'showDryRun',
      name: 'Dry-run events',
      description: 'What rules in dry-run would have written.',
      category: SECTIONS,
      defaultValue: D.showDryRun,
      showIf: (o) => o.showActions,
    })
    .addRadio({
      path: 'controls',
      name: 'Controls',
      description:
        'Mode selectors, Approve / Reject and the emergency stop. By role: offered to Editors and Admins, whom the operate route lets through; Viewers see the state read-only. Grafana and the backend enforce it either way.',
      category: CONTROLS,
      defaultValue: D.controls,
      settings: {
        options: [
          { value: 'role', label: 'By role' },
          { value: 'never', label: 'Read-only' },
        ],
      },
    })
    .addRadio({
      path: 'layout',
      name: 'Layout',
      category: DISPLAY,
      defaultValue: D.layout,
      settings: {
        options: [
          { value: 'auto', label: 'Auto' },
          { value: 'stacked', label: 'One column' },
          { value: 'columns', label: 'Two columns' },
        ],
      },
    })
    .addRadio({
      path: 'density',
      name: 'Density',
      description: 'Compact: one line per rule, details in tooltips, a smaller stop bar — for walls and small panels.',
      category: DISPLAY,
      defaultValue: D.density,
      settings: {
        options: [
          { value: 'normal', label: 'Normal' },
          { value: 'compact', label: 'Compact' },
        ],
      },
    });
}
