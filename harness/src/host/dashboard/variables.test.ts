import type { VariableJson } from './model';
import {
  applyRegex,
  customOptions,
  dependentsOf,
  freeTextVariable,
  intervalOptions,
  referencedNames,
  resolutionOrder,
  selectedValues,
  selectOptions,
  sortOptions,
} from './variables';

const v = (name: string, query: unknown, extra: Partial<VariableJson> = {}): VariableJson => ({
  name,
  type: 'query',
  query,
  ...extra,
});

describe('dashboard variables', () => {
  it('finds references in every syntax Grafana accepts', () => {
    expect(referencedNames('$hall ${row} [[rack]] ${asset:csv} ${point.text} $__interval')).toEqual([
      'hall',
      'row',
      'rack',
      'asset',
      'point',
      '__interval',
    ]);
    expect(referencedNames({ query: 'racks in $hall', uid: '${ds}' })).toEqual(['hall', 'ds']);
  });

  it('resolves a variable after those its query, data source or regex read; otherwise in dashboard order', () => {
    const vars = [
      v('rack', 'racks($row)'),
      v('site', 'sites'),
      v('row', 'rows($hall)', { regex: '/$prefix.*/' }),
      v('hall', 'halls', { datasource: { uid: '${ds}' } }),
      v('ds', 'plenum', { type: 'datasource' }),
      v('prefix', 'R', { type: 'constant' }),
    ];
    expect(resolutionOrder(vars).map((x) => x.name)).toEqual(['ds', 'hall', 'prefix', 'row', 'rack', 'site']);
  });

  it('keeps dashboard order inside a cycle instead of looping', () => {
    expect(resolutionOrder([v('a', '$b'), v('b', '$a')]).map((x) => x.name)).toEqual(['b', 'a']);
  });

  it('re-resolves exactly the variables downstream of a change, in order', () => {
    const vars = [v('hall', 'halls'), v('rack', 'racks($row)'), v('row', 'rows($hall)'), v('site', 'sites')];
    expect(dependentsOf(vars, ['hall']).map((x) => x.name)).toEqual(['row', 'rack']);
    expect(dependentsOf(vars, ['rack'])).toEqual([]);
  });

  it('reads custom options: commas, escaped commas and `text : value` pairs', () => {
    expect(customOptions('Hall A : hall-a, b\\,c ,d')).toEqual([
      { text: 'Hall A', value: 'hall-a' },
      { text: 'b,c', value: 'b,c' },
      { text: 'd', value: 'd' },
    ]);
  });

  it('offers auto first for an interval variable with auto on', () => {
    expect(intervalOptions(v('step', '1m, 10m', { type: 'interval', auto: true }), '2m')).toEqual([
      { text: 'auto', value: '2m' },
      { text: '1m', value: '1m' },
      { text: '10m', value: '10m' },
    ]);
  });

  it('filters and rewrites options with the regex: named groups, first group, duplicates dropped', () => {
    const opts = ['rack-A01-x', 'rack-A02-y', 'crah-1', 'rack-A01-z'].map((t) => ({ text: t, value: t }));
    expect(applyRegex(opts, '/rack-(A\\d+)/').map((o) => o.value)).toEqual(['A01', 'A02']);
    expect(applyRegex(opts, '/rack-(?<value>A\\d+)-(?<text>\\w)/')).toEqual([
      { text: 'x', value: 'A01' },
      { text: 'y', value: 'A02' },
    ]);
  });

  it('sorts options as Grafana’s sort setting says', () => {
    const opts = ['r10', 'R2', 'r1'].map((t) => ({ text: t, value: t }));
    expect(sortOptions(opts, 1).map((o) => o.text)).toEqual(['R2', 'r1', 'r10']);
    expect(sortOptions(opts, 3).map((o) => o.text)).toEqual(['r1', 'R2', 'r10']);
    expect(sortOptions(opts, 4).map((o) => o.text)).toEqual(['r10', 'R2', 'r1']);
    expect(sortOptions(opts, 5).map((o) => o.text)).toEqual(['r1', 'r10', 'R2']);
  });

  describe('the selection (validateVariableSelectionState)', () => {
    const racks = ['A01', 'A02', 'A03'].map((t) => ({ text: `Rack ${t}`, value: t }));

    it('keeps the saved value when the options still hold it, else takes the first option', () => {
      const saved = v('rack', 'q', { current: { value: 'A02' } });
      expect(selectOptions(saved, racks).current).toEqual({ text: 'Rack A02', value: 'A02' });
      const gone = v('rack', 'q', { current: { value: 'B07' } });
      expect(selectOptions(gone, racks).current).toEqual({ text: 'Rack A01', value: 'A01' });
    });

    it('lets a requested value (URL or API) win, by value or by text', () => {
      const saved = v('rack', 'q', { current: { value: 'A02' } });
      expect(selectOptions(saved, racks, 'A03').current.value).toBe('A03');
      expect(selectOptions(saved, racks, 'Rack A01').current.value).toBe('A01');
    });

    it('puts All first with includeAll, keeps it selected, and a repeat over All covers every option', () => {
      const all = v('rack', 'q', { multi: true, includeAll: true, current: { value: ['$__all'] } });
      const resolved = selectOptions(all, racks);
      expect(resolved.options[0]).toMatchObject({ text: 'All', value: '$__all', selected: true });
      expect(resolved.current).toEqual({ text: ['All'], value: ['$__all'] });
      expect(selectedValues(resolved).map((o) => o.value)).toEqual(['A01', 'A02', 'A03']);
    });

    it('keeps the multi values the options hold, dropping the rest', () => {
      const multi = v('rack', 'q', { multi: true, current: { value: ['A03', 'Z9', 'A01'] } });
      expect(selectOptions(multi, racks).current).toEqual({ text: ['Rack A01', 'Rack A03'], value: ['A01', 'A03'] });
    });

    it('takes a textbox’s requested or saved text, and a constant’s query, the constant hidden', () => {
      expect(freeTextVariable(v('note', 'x', { type: 'textbox', current: { value: 'typed' } })).current.value).toBe(
        'typed',
      );
      expect(freeTextVariable(v('note', 'x', { type: 'textbox' }), 'from-url').current.value).toBe('from-url');
      const constant = freeTextVariable(v('site', 'lab', { type: 'constant' }), 'from-url');
      expect(constant.current.value).toBe('lab');
      expect(constant.hide).toBe(2);
    });
  });
});
