import fc from 'fast-check';
import { stringifyAnswer } from './serialize';

const value = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.string({ unit: 'binary' }),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
);
const column = fc.array(value, { maxLength: 20 });
const frame = fc.record(
  {
    schema: fc.record({
      name: fc.string({ unit: 'binary' }),
      refId: fc.string(),
      meta: fc.dictionary(fc.string(), value),
    }),
    data: fc.record(
      { values: fc.array(column, { maxLength: 4 }), nanos: fc.array(fc.array(fc.nat())) },
      { requiredKeys: ['values'] },
    ),
  },
  { requiredKeys: ['schema'] },
);
const answer = fc.record({
  results: fc.dictionary(
    fc.string({ unit: 'binary' }),
    fc.record(
      { frames: fc.array(frame, { maxLength: 5 }), error: fc.string(), status: fc.constantFrom(400, 500, undefined) },
      { requiredKeys: ['frames'] },
    ),
  ),
  from: fc.option(fc.integer(), { nil: undefined }),
  cursor: fc.integer(),
});

describe('stringifyAnswer', () => {
  it('writes the text JSON.stringify writes, for any answer-shaped value (undefined, NaN, -0, odd keys)', () => {
    fc.assert(
      fc.property(answer, (a) => {
        expect(stringifyAnswer(a)).toBe(JSON.stringify(a));
      }),
      { numRuns: 500 },
    );
  });

  it('writes a column shared by many frames once, and each frame still carries it', () => {
    const grid = [1000, 2000, 3000];
    const stringify = jest.spyOn(JSON, 'stringify');
    const a = {
      results: {
        A: {
          frames: [1, 2, 3].map((k) => ({ schema: { refId: 'A' }, data: { values: [grid, [k, k, NaN]] } })),
        },
      },
    };
    const text = stringifyAnswer(a);
    const gridCalls = stringify.mock.calls.filter(([v]) => v === grid).length;
    stringify.mockRestore();
    expect(gridCalls).toBe(1);
    expect(text).toBe(JSON.stringify(a));
    expect(JSON.parse(text).results.A.frames[2].data.values).toEqual([grid, [3, 3, null]]);
  });

  it('is JSON.stringify for anything that is not an answer object', () => {
    for (const v of [null, 3, 'x', [1, { a: undefined }], { toJSON: () => 'j' }, { results: [1, 2] }]) {
      expect(stringifyAnswer(v)).toBe(JSON.stringify(v));
    }
  });
});
