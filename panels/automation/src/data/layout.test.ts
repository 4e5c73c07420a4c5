import { DEFAULT_OPTIONS } from '../types';
import { panelColumns } from './layout';

describe('panelColumns', () => {
  it('puts decisions left and history right when wide, one column when narrow', () => {
    expect(panelColumns(1200, DEFAULT_OPTIONS)).toEqual([
      ['rules', 'proposals'],
      ['leases', 'actions'],
    ]);
    expect(panelColumns(600, DEFAULT_OPTIONS)).toEqual([['rules', 'proposals', 'leases', 'actions']]);
  });

  it('follows the layout option and the sections switched off', () => {
    expect(panelColumns(400, { ...DEFAULT_OPTIONS, layout: 'columns' })).toHaveLength(2);
    expect(panelColumns(2000, { ...DEFAULT_OPTIONS, layout: 'stacked' })).toHaveLength(1);
    expect(panelColumns(1200, { ...DEFAULT_OPTIONS, showLeases: false, showActions: false })).toEqual([
      ['rules', 'proposals'],
    ]);
    expect(
      panelColumns(1200, {
        ...DEFAULT_OPTIONS,
        showRules: false,
        showProposals: false,
        showLeases: false,
        showActions: false,
      })
    ).toEqual([]);
  });
});
