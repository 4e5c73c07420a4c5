import { z } from 'zod';
import { formatIssues } from '../../common/zod-issues';
import { PROMETHEUS_DEFAULTS, prometheusOptions } from './config';

const issues = (o: unknown) => {
  const r = prometheusOptions.safeParse(o);
  return r.success ? [] : formatIssues(r.error.issues, ['options']);
};

describe('prometheus options', () => {
  it('fill defaults beside the schema', () => {
    expect(prometheusOptions.parse({ url: 'http://127.0.0.1:9400/metrics' })).toEqual({
      mode: PROMETHEUS_DEFAULTS.mode,
      url: 'http://127.0.0.1:9400/metrics',
      headers: {},
      timeoutMs: 5000,
      maxConcurrency: 4,
      backfillMaxMs: 0,
      mapping: {},
    });
    expect(
      prometheusOptions.parse({
        url: 'http://x/metrics',
        mapping: { rack: { label: 'Hostname', regex: '(?<rack>.*)' } },
      }).mapping.rack,
    ).toEqual({ label: 'Hostname', regex: '(?<rack>.*)', case: 'keep' });
  });

  it('describe every option for the JSON schema and editors', () => {
    const json = z.toJSONSchema(prometheusOptions, { io: 'input' }) as {
      properties: Record<string, { description?: string }>;
    };
    for (const [key, prop] of Object.entries(json.properties))
      expect([key, prop.description]).toEqual([key, expect.any(String)]);
  });

  it('name the field and what is expected, never the URL (it may carry a password)', () => {
    expect(issues({})).toEqual([
      'options.url: url: expected an http:// or https:// URL (or a list of exposition URLs in scrape mode)',
    ]);
    expect(issues({ url: 'http://u:secret@:bad' })).toEqual(['options.url: url: expected an http:// or https:// URL']);
    expect(issues({ mode: 'api', url: 'http://prom:9090/api/v1/query' })).toEqual([
      'options.url: url: api mode takes the server base URL (http://prometheus:9090, or with its path prefix); expected no /api/v1/… (the connector adds it)',
    ]);
    expect(issues({ url: 'http://x', urls: [] })).toEqual(['options.urls: unknown field']);
    expect(issues({ url: 'http://x', headers: { 'Bad Header': 'v', ok: 'a\nb' } })).toEqual([
      'options.headers["Bad Header"]: headers: expected header names of letters, digits and -',
      'options.headers.ok: headers: a value cannot contain a line break',
    ]);
    expect(issues({ url: 'http://x', mapping: { rack: { label: 'h', regex: '(?<rack>a)', case: 'UPPER' } } })).toEqual([
      'options.mapping.rack.case: case: expected one of keep, upper, lower',
    ]);
  });
});
