import { breach } from './oracle';

const json = (status: number, error: unknown) => ({
  status,
  contentType: 'application/json; charset=utf-8',
  text: JSON.stringify({ error }),
});

describe('the fuzz oracle', () => {
  it('fails a 500 always and another 5xx unless the route documents it', () => {
    expect(breach(json(500, 'internal error: x'), ['200'])).toMatch(/^500 /);
    expect(breach(json(502, 'device failed'), ['200', '502'])).toBeUndefined();
    expect(breach(json(503, 'x'), ['200'])).toMatch(/^503 /);
  });

  it('passes a 4xx that says where, and fails one that does not', () => {
    for (const ok of [
      'body.samples[3].ts: 1e308 ms is outside 2000-01-01 … 2200-01-01',
      'query["a b"]: unknown field',
      'rule "x" when.threshold.ids: no point matches "y"',
      'authorization: missing bearer token',
      'no route GET /x; see /api/openapi.json',
      'proposal id: expected a number; got "x"',
    ])
      expect([ok, breach(json(400, ok), ['200'])]).toEqual([ok, undefined]);
    for (const bad of ['Invalid input', 'unsupported charset "LATIN1"', 'Failed to decode param', ''])
      expect(breach(json(400, bad), ['200'])).toMatch(/^400 /);
    expect(breach({ status: 400, contentType: 'text/html', text: '<p>bad</p>' }, [])).toMatch(/without a JSON body/);
  });
});
