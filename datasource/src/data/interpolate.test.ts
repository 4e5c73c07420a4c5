import type { TemplateSrv } from '@grafana/runtime';
import { applyAdHocFilters, expandList, interpolateQuery } from './interpolate';

/** Grafana's replace for `$rack` (multi: A01, A02), `$hall` (single) and `$all` ($__all → every option). */
const replace: TemplateSrv['replace'] = (target = '', scopedVars, format) => {
  const vars: Record<string, string | string[]> = {
    rack: ['A01', 'A02'],
    hall: 'hall1',
    all: ['A01', 'A02', 'B01'],
    ...Object.fromEntries(Object.entries(scopedVars ?? {}).map(([k, v]) => [k, v?.value as string])),
  };
  return target.replace(/\$(\w+)/g, (m, name: string) => {
    const v = vars[name];
    if (v === undefined) {
      return m;
    }
    if (typeof format === 'function') {
      return format(v, {} as never, undefined as never);
    }
    return Array.isArray(v) ? `{${v.join(',')}}` : v;
  });
};

describe('interpolation', () => {
  it('expands multi-value variables and $__all into list entries, dropping duplicates and empties', () => {
    expect(expandList(['$rack', 'A01', 'B07', ''], replace)).toEqual(['A01', 'A02', 'B07']);
    expect(expandList(['$all'], replace)).toEqual(['A01', 'A02', 'B01']);
    expect(expandList(undefined, replace)).toBeUndefined();
  });

  it('lets scopedVars (repeated panels) win over the dashboard value', () => {
    expect(expandList(['$rack'], replace, { rack: { text: 'B02', value: 'B02' } })).toEqual(['B02']);
  });

  it('interpolates selectors, alias and event filters per query type', () => {
    expect(
      interpolateQuery(
        {
          refId: 'A',
          queryType: 'timeseries',
          selector: { hall: ['$hall'], rack: ['$rack'] },
          alias: '$hall {{rack}}',
        },
        replace
      )
    ).toEqual({
      refId: 'A',
      queryType: 'timeseries',
      selector: { hall: ['hall1'], rack: ['A01', 'A02'] },
      alias: 'hall1 {{rack}}',
    });
    expect(
      interpolateQuery({ refId: 'E', queryType: 'events', rack: ['$rack'], text: '$hall' }, replace)
    ).toMatchObject({ rack: ['A01', 'A02'], text: 'hall1' });
  });

  it('narrows selectors by ad-hoc filters and names the ones it cannot apply', () => {
    const { selector, errors } = applyAdHocFilters({ rack: ['A01', 'A02'], tags: ['inlet'] }, [
      { key: 'rack', operator: '=', value: 'A02' },
      { key: 'tags', operator: '=', value: 'temp' },
      { key: 'quantity', operator: '=|', value: '', values: ['power', 'temperature'] },
      { key: 'rack', operator: '!=', value: 'A01' },
      { key: 'colour', operator: '=', value: 'red' },
    ]);
    expect(selector).toEqual({ rack: ['A02'], tags: ['inlet', 'temp'], quantity: ['power', 'temperature'] });
    expect(errors).toEqual([
      'ad-hoc filter "rack != A01": only = and =| (one of) are supported',
      'ad-hoc filter "colour": not a point field; use one of hall, row, rack, asset, quantity, domain, kind, tags',
    ]);
  });

  it('selects nothing when an ad-hoc filter excludes everything the query selects', () => {
    const { selector } = applyAdHocFilters({ rack: ['A01'] }, [{ key: 'rack', operator: '=', value: 'B09' }]);
    expect(selector.rack).toHaveLength(1);
    expect(selector.rack![0]).not.toBe('A01');
    expect(selector.rack![0]).not.toBe('B09');
  });
});
