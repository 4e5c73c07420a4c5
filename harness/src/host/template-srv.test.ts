import { HarnessTemplateSrv, type HarnessVariable } from './template-srv';

const racks: HarnessVariable = {
  name: 'rack',
  multi: true,
  includeAll: true,
  current: { text: ['R1', 'R2'], value: ['r1', 'r2'] },
  options: [
    { text: 'All', value: '$__all' },
    { text: 'R1', value: 'r1' },
    { text: 'R2', value: 'r2' },
    { text: 'R3', value: 'r3' },
  ],
};
const hall: HarnessVariable = { name: 'hall', current: { text: 'Hall A', value: 'hall-a' } };
const tricky: HarnessVariable = { name: 'q', current: { text: "it's", value: "it's a.b" } };

function srv(...variables: HarnessVariable[]) {
  const s = new HarnessTemplateSrv();
  s.setVariables(variables);
  return s;
}

describe('HarnessTemplateSrv.replace', () => {
  const s = srv(racks, hall, tricky);

  it('replaces the three syntaxes', () => {
    expect(s.replace('$hall/[[hall]]/${hall}')).toBe('hall-a/hall-a/hall-a');
  });

  it('formats a multi-value selection as glob by default', () => {
    expect(s.replace('x=$rack')).toBe('x={r1,r2}');
  });

  it.each([
    ['csv', 'r1,r2'],
    ['pipe', 'r1|r2'],
    ['regex', '(r1|r2)'],
    ['json', '["r1","r2"]'],
    ['glob', '{r1,r2}'],
    ['raw', 'r1,r2'],
    ['singlequote', "'r1','r2'"],
    ['doublequote', '"r1","r2"'],
    ['text', 'R1 + R2'],
    ['queryparam', 'var-rack=r1&var-rack=r2'],
    ['lucene', '("r1" OR "r2")'],
    ['sqlstring', "'r1','r2'"],
    ['distributed', 'r1,rack=r2'],
  ])('formats a multi-value selection as %s', (format, expected) => {
    expect(s.replace(`\${rack:${format}}`)).toBe(expected);
    expect(s.replace(`[[rack:${format}]]`)).toBe(expected);
  });

  it('escapes single values per format', () => {
    expect(s.replace('${q:regex}')).toBe("it's a\\.b");
    expect(s.replace('${q:singlequote}')).toBe("'it\\'s a.b'");
    expect(s.replace('${q:doublequote}')).toBe('"it\'s a.b"');
    expect(s.replace('${q:sqlstring}')).toBe("'it''s a.b'");
    expect(s.replace('${q:queryparam}')).toBe('var-q=it%27s%20a.b');
    expect(s.replace('${q:json}')).toBe('"it\'s a.b"');
    expect(s.replace('${q:text}')).toBe("it's");
    expect(s.replace('${hall:csv}')).toBe('hall-a');
  });

  it('uses the format argument when the reference names none', () => {
    expect(s.replace('$rack and ${rack:pipe}', undefined, 'csv')).toBe('r1,r2 and r1|r2');
  });

  it('expands $__all to every option value', () => {
    const all = srv({ ...racks, current: { text: 'All', value: ['$__all'] } });
    expect(all.replace('${rack:csv}')).toBe('r1,r2,r3');
    expect(all.replace('${rack:regex}')).toBe('(r1|r2|r3)');
    expect(all.replace('${rack:text}')).toBe('All');
  });

  it('uses allValue unformatted for $__all when set', () => {
    const all = srv({ ...racks, allValue: '.*', current: { text: 'All', value: '$__all' } });
    expect(all.replace('${rack:regex}')).toBe('.*');
    expect(all.replace('${rack:text}')).toBe('All');
  });

  it('lets scoped variables win over dashboard variables', () => {
    const scoped = { hall: { text: 'Hall B', value: 'hall-b' }, __interval: { text: '1m', value: '1m' } };
    expect(s.replace('$hall ${hall:text} $__interval', scoped)).toBe('hall-b Hall B 1m');
    expect(s.replace('${obj.a.b}', { obj: { value: { a: { b: 7 } } } })).toBe('7');
    expect(s.replace('${hall:regex}', { hall: { value: 'a.b', skipFormat: true } })).toBe('a.b');
  });

  it('leaves unknown variables as written', () => {
    expect(s.replace('$nope ${nope:csv} [[nope]]')).toBe('$nope ${nope:csv} [[nope]]');
    expect(s.replace('')).toBe('');
    expect(s.replace(undefined)).toBe('');
  });

  it('replaces __from and __to from the last time range, formatted by date', () => {
    const t = srv();
    t.updateTimeRange({ from: { valueOf: () => 1_700_000_000_000 }, to: { valueOf: () => 1_700_000_360_000 } });
    expect(t.replace('$__from-${__to}')).toBe('1700000000000-1700000360000');
    expect(t.replace('${__from:date:iso}')).toBe('2023-11-14T22:13:20.000Z');
    expect(t.replace('${__from:date}')).toBe('2023-11-14T22:13:20.000Z');
    expect(t.replace('${__to:date:seconds}')).toBe('1700000360');
  });

  it('accepts a format function', () => {
    expect(s.replace('$rack', undefined, (value: unknown) => (value as string[]).join(' or '))).toBe('r1 or r2');
  });
});

describe('HarnessTemplateSrv', () => {
  it('containsTemplate looks at the first reference only, as Grafana does', () => {
    const s = srv(hall);
    expect(s.containsTemplate('a $hall b')).toBe(true);
    expect(s.containsTemplate('[[hall:csv]]')).toBe(true);
    expect(s.containsTemplate('a $nope $hall')).toBe(false);
    expect(s.containsTemplate('no variables')).toBe(false);
    expect(s.containsTemplate(undefined)).toBe(false);
  });

  it('getVariables returns copies of what was set', () => {
    const s = srv(hall);
    const vars = s.getVariables();
    expect(vars).toEqual([{ ...hall, type: 'custom' }]);
    (vars[0] as HarnessVariable).current.value = 'changed';
    expect(s.replace('$hall')).toBe('hall-a');
  });
});
