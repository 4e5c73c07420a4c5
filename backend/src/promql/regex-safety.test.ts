import request from 'supertest';
import type { Express } from 'express';
import { createApp } from '../api/app';
import { apiDeps, openTestBed, type TestBed } from '../testing/fixture';
import { MAX_REGEX_LENGTH, unsafeRegexReason } from './regex-safety';

describe('unsafeRegexReason', () => {
  it.each([
    ['(a*)*b', /repeated group .* contains a repetition/],
    ['(a+)+', /contains a repetition/],
    ['(.*,)*x', /contains a repetition/],
    ['(?:x+y)+', /contains a repetition/],
    ['((ab)*c)*', /contains a repetition/],
    ['(a|aa)+', /contains an alternation/],
    ['(a|b){2,}', /alternation/],
    ['(a*){1,5}', /repetition/],
    ['(a)\\1', /backreference \\1/],
    ['(?<x>a)\\k<x>', /named backreference/],
    ['a(?=b)', /lookahead/],
    ['a(?!b)', /lookahead/],
    ['(?<=a)b', /lookbehind/],
    ['(?<!a)b', /lookbehind/],
  ])('refuses %s', (pattern, why) => {
    expect(unsafeRegexReason(pattern)).toMatch(why);
  });

  it.each([
    '.*',
    'A0[1-3]',
    'A0.|B.*',
    '.*,inlet,.*',
    'plenum_(temperature|power).*',
    '(?:ab)*',
    '[ab]*',
    '(a*)?',
    '(a*){1}',
    '[(a*)*]',
    '\\(a*\\)*',
    'x{2,3}',
    '(A)(0.)',
    '(.*)',
    '.*foo.*bar.*',
  ])('accepts %s', (pattern) => {
    expect(unsafeRegexReason(pattern)).toBeUndefined();
  });

  it('caps the length, but takes a Grafana "All" over thousands of racks', () => {
    const all = Array.from({ length: 5000 }, (_, i) => `R${String(i).padStart(4, '0')}-01`).join('|');
    expect(all.length).toBeLessThan(MAX_REGEX_LENGTH);
    expect(unsafeRegexReason(all)).toBeUndefined();
    expect(unsafeRegexReason('a'.repeat(MAX_REGEX_LENGTH + 1))).toMatch(/longer than the 65,536 characters allowed/);
  });
});

describe('the guard on the Prometheus API', () => {
  const TOKEN = 'regex-guard-token';
  const auth = { Authorization: `Bearer ${TOKEN}` };
  let bed: TestBed;
  let app: Express;
  const t0 = Date.UTC(2026, 0, 1, 12, 0, 0);

  beforeAll(async () => {
    bed = openTestBed(() => t0 + 60_000);
    app = createApp(apiDeps(bed), { token: TOKEN });
    await bed.ingest.store([{ pointId: 's/h1/A/A01/env/inlet_temp', ts: t0, value: 21, quality: 'good' }]);
  });
  afterAll(() => bed.close());

  // on JavaScript's engine each of these takes 2^n steps on a label value of n matching characters (the point
  // ids here are ~25 characters: minutes of a stalled event loop), so the answer must come before any matching
  it.each([
    ['query', { query: 'plenum_temperature_celsius{point=~"(.*)*x"}' }, 'the matcher point=~"(.*)*x" is refused'],
    ['query', { query: 'plenum_temperature_celsius{point!~"(s|s/)+x"}' }, 'the matcher point!~"(s|s/)+x" is refused'],
    ['query', { query: '{__name__=~"plenum.*", rack=~"(A)\\\\1"}' }, 'the matcher rack=~"(A)\\\\1" is refused'],
    [
      'query',
      { query: 'label_replace(plenum_temperature_celsius, "x", "$1", "point", "((.+)/)+x")' },
      'the label_replace() regex "((.+)/)+x" is refused',
    ],
    ['series', { 'match[]': '{point=~"(a*)*b"}' }, 'the matcher point=~"(a*)*b" is refused'],
  ])('%s %j → 400 naming the matcher', async (route, params, message) => {
    const started = Date.now();
    const res = await request(app).get(`/prometheus/api/v1/${route}`).set(auth).query(params);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      status: 'error',
      errorType: 'bad_data',
      error: expect.stringContaining(message),
    });
  });

  it('still answers safe regex matchers', async () => {
    const res = await request(app)
      .get('/prometheus/api/v1/query')
      .set(auth)
      .query({ query: 'plenum_temperature_celsius{rack=~"A0[1-3]|B.*", point=~".*inlet.*"}', time: String(t0 / 1000) });
    expect(res.status).toBe(200);
    expect(res.body.data.result.map((r: { metric: { rack: string } }) => r.metric.rack)).toEqual(['A01']);
  });
});
