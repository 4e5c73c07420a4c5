import { editableVariableQuery, filtersOf, withFilter, withKind } from './editor-variable-query';

describe('filtersOf', () => {
  it('narrows a level by the levels above it', () => {
    expect(filtersOf('assets')).toEqual(['site', 'hall', 'row', 'rack']);
    expect(filtersOf('halls')).toEqual(['site', 'hall']);
    expect(filtersOf('sites')).toEqual(['site']);
    expect(filtersOf('points')).toEqual(['site', 'hall', 'row', 'rack', 'quantity', 'domain', 'tags']);
  });
});

describe('withKind', () => {
  it('keeps only the filters the new kind takes', () => {
    expect(withKind({ kind: 'points', hall: 'h1', row: 'a', rack: 'r01', tags: 'inlet' }, 'rows')).toEqual({
      kind: 'rows',
      hall: 'h1',
      row: 'a',
    });
    expect(withKind({ kind: 'halls', site: '$site', hall: 'h1' }, 'sites')).toEqual({ kind: 'sites', site: '$site' });
  });
});

describe('withFilter', () => {
  it('sets trimmed text and unsets blank text', () => {
    expect(withFilter({ kind: 'racks' }, 'hall', ' $hall ')).toEqual({ kind: 'racks', hall: '$hall' });
    expect(withFilter({ kind: 'racks', hall: 'h1' }, 'hall', '')).toEqual({ kind: 'racks' });
  });
});

describe('editableVariableQuery', () => {
  it('keeps a query of a known kind', () => {
    expect(editableVariableQuery({ kind: 'racks', hall: 'h1' })).toEqual({ kind: 'racks', hall: 'h1' });
  });
  it.each([undefined, '', 'racks', { kind: 'sensors' }])('starts %p as halls', (q) => {
    expect(editableVariableQuery(q)).toEqual({ kind: 'halls' });
  });
});
