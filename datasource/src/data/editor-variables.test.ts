import { isTemplateRef, variableOptions, VARIABLES_GROUP } from './editor-variables';

describe('variableOptions', () => {
  it('offers each variable as $name, labelled by its display label', () => {
    expect(variableOptions([{ name: 'hall', label: 'Hall' }, { name: 'rack' }])).toEqual([
      { value: '$hall', label: '$hall', description: 'Hall', group: VARIABLES_GROUP },
      { value: '$rack', label: '$rack', description: 'dashboard variable', group: VARIABLES_GROUP },
    ]);
  });
});

describe('isTemplateRef', () => {
  it.each(['$hall', '${hall}', '${hall:csv}', '[[hall]]', 'r-$row'])('sees a variable in %s', (v) => {
    expect(isTemplateRef(v)).toBe(true);
  });
  it.each(['hall-a', 'r01', '$', ''])('sees none in %s', (v) => {
    expect(isTemplateRef(v)).toBe(false);
  });
});
