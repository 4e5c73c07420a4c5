import { formatDcgmMetrics } from '../../sim/dcgm-format';
import { HallModel } from '../../sim/model';
import { ExpositionError, parseExposition, parseFloatToken } from './exposition';

describe('parseExposition', () => {
  it('reads HELP, TYPE, labels, values and timestamps', () => {
    const text = [
      '# HELP http_requests_total The total number of HTTP requests.',
      '# TYPE http_requests_total counter',
      'http_requests_total{method="post",code="200"} 1027 1395066363000',
      'http_requests_total{method="post",code="400"}    3 1395066363000',
      '',
      '# A normal comment.',
      '# HELP metric_without_timestamp_and_labels a\\\\b\\nc',
      'metric_without_timestamp_and_labels 12.47',
      '# TYPE rpc_duration_seconds summary',
      'rpc_duration_seconds{quantile="0.5"} 4773',
      'rpc_duration_seconds_sum 1.7560473e+07',
      'rpc_duration_seconds_count 2693',
      '# TYPE http_request_duration_seconds histogram',
      'http_request_duration_seconds_bucket{le="+Inf"} 144320',
      'trailing_comma{a="1",} -0.5',
      'spaces { a = "1" , b="2" } 7',
      'tabs\t3\t-12',
      'no_newline_at_end 1',
    ].join('\n');
    const { series, families } = parseExposition(text);
    expect(series.map((s) => [s.name, s.labels, s.value, s.timestampMs, s.type])).toEqual([
      ['http_requests_total', { method: 'post', code: '200' }, 1027, 1395066363000, 'counter'],
      ['http_requests_total', { method: 'post', code: '400' }, 3, 1395066363000, 'counter'],
      ['metric_without_timestamp_and_labels', {}, 12.47, undefined, 'untyped'],
      ['rpc_duration_seconds', { quantile: '0.5' }, 4773, undefined, 'summary'],
      ['rpc_duration_seconds_sum', {}, 1.7560473e7, undefined, 'summary'],
      ['rpc_duration_seconds_count', {}, 2693, undefined, 'summary'],
      ['http_request_duration_seconds_bucket', { le: '+Inf' }, 144320, undefined, 'histogram'],
      ['trailing_comma', { a: '1' }, -0.5, undefined, 'untyped'],
      ['spaces', { a: '1', b: '2' }, 7, undefined, 'untyped'],
      ['tabs', {}, 3, -12, 'untyped'],
      ['no_newline_at_end', {}, 1, undefined, 'untyped'],
    ]);
    expect(families.get('metric_without_timestamp_and_labels')?.help).toBe('a\\b\nc');
    expect(families.get('http_requests_total')).toEqual({
      type: 'counter',
      help: 'The total number of HTTP requests.',
    });
  });

  it('reads tricky escapes in label values', () => {
    // the exposition as an exporter writes it: \\ for a backslash, \" for a quote, \n for a newline
    const line = String.raw`msdos_file_access_time_seconds{path="C:\\DIR\\FILE.TXT",error="Cannot find file:\n\"FILE.TXT\"",odd="a\tb}{,=",empty=""} 1.458255915e9`;
    const [s] = parseExposition(`${line}\n`).series;
    expect(s?.labels).toEqual({
      path: 'C:\\DIR\\FILE.TXT',
      error: 'Cannot find file:\n"FILE.TXT"',
      odd: 'a\\tb}{,=', // unknown escapes stay as written, as Prometheus keeps them
      empty: '',
    });
    expect(s?.value).toBe(1458255915);
  });

  it('reads NaN and infinities in any case, and CRLF line ends', () => {
    const { series } = parseExposition('a NaN\r\nb +Inf\r\nc -Inf\r\nd nan\r\ne inf\r\n');
    expect(series.map((s) => s.value)).toEqual([NaN, Infinity, -Infinity, NaN, Infinity]);
  });

  it('parses float tokens as Go does', () => {
    expect(parseFloatToken('1e3')).toBe(1000);
    expect(parseFloatToken('-.5')).toBe(-0.5);
    expect(parseFloatToken('5.')).toBe(5);
    expect(parseFloatToken('')).toBeUndefined();
    expect(parseFloatToken('0x10')).toBeUndefined();
    expect(parseFloatToken('1,5')).toBeUndefined();
  });

  it('fails the whole text on a bad line, naming it', () => {
    const cases: Array<[string, string]> = [
      ['ok 1\nbad{a="1" 2\n', 'line 2: expected "," or "}" at character 11 of "bad{a=\\"1\\" 2"'],
      ['a{b=1} 2', 'line 1: expected a quoted value for label b at character 5'],
      ['a{b="x} 2', 'line 1: unterminated value of label b'],
      ['a 1 2 3', 'line 1: expected a value and an optional timestamp; got 3 tokens'],
      ['a one', 'line 1: expected a number (or NaN, +Inf, -Inf); got "one"'],
      ['a 1 1.5', 'line 1: expected a timestamp in integer ms; got "1.5"'],
      ['a{b="1",b="2"} 1', 'line 1: label b given twice'],
      ['a-b 1', 'line 1: expected "{", a space or a tab after the metric name'],
      ['9a 1', 'line 1: expected a metric name'],
      ['a', 'line 1: expected a value'],
      ['# TYPE a gauges', 'line 1: unknown metric type "gauges"'],
      ['# TYPE', 'line 1: # TYPE needs a metric name'],
    ];
    for (const [text, message] of cases) {
      let err: unknown;
      try {
        parseExposition(text);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ExpositionError);
      expect((err as Error).message).toContain(message);
    }
  });

  it('reads OpenMetrics text: seconds, exemplars, EOF', () => {
    const text = [
      '# TYPE foo counter',
      '# UNIT foo seconds',
      'foo_total{a="b"} 17.0 1520879607.789 # {trace_id="KOO5S4vxi0o"} 0.67',
      'foo_created 1520430000.123',
      '# TYPE e info',
      'e_info{version="1"} 1',
      '# EOF',
      'ignored after EOF',
    ].join('\n');
    const { series } = parseExposition(text, { openMetrics: true });
    expect(series.map((s) => [s.name, s.value, s.timestampMs, s.type])).toEqual([
      ['foo_total', 17, 1520879607789, 'counter'],
      ['foo_created', 1520430000.123, undefined, 'counter'],
      ['e_info', 1, undefined, 'untyped'],
    ]);
  });

  it("reads the simulator's DCGM exporter output", () => {
    const t0 = Date.UTC(2025, 0, 1);
    const model = new HallModel({ startMs: t0, jobSchedule: 'none' });
    model.addJob({ racks: ['B02'], expectedKwPerRack: 100, durationMs: 3_600_000 });
    model.advanceTo(t0 + 120_000);
    const hosts = model.gpuHosts();
    const { series, families } = parseExposition(formatDcgmMetrics(hosts));
    expect(series).toHaveLength(3 * 40 * 8);
    expect([...families.keys()]).toEqual(['DCGM_FI_DEV_GPU_TEMP', 'DCGM_FI_DEV_POWER_USAGE', 'DCGM_FI_DEV_GPU_UTIL']);
    const b02 = hosts.find((h) => h.rack === 'B02')!;
    const power = series.filter((s) => s.name === 'DCGM_FI_DEV_POWER_USAGE' && s.labels.Hostname === 'b02-gpu');
    expect(power.map((s) => s.value)).toEqual(b02.gpus.map((g) => Number(g.powerW.toFixed(6))));
    expect(power[0]?.labels).toMatchObject({ gpu: '0', device: 'nvidia0', rack: 'B02', modelName: 'NVIDIA B300' });
    expect(power[0]?.type).toBe('gauge');
  });

  // speed belongs in the benches (bench:ingest), not in a timed unit test that fails on a loaded machine
  it('parses a large exposition whole', () => {
    const lines: string[] = ['# TYPE m gauge'];
    for (let i = 0; i < 50_000; i++) lines.push(`m{host="h${i % 500}",gpu="${i % 8}",id="${i}"} ${i}.5 1700000000000`);
    const { series } = parseExposition(lines.join('\n'));
    expect(series).toHaveLength(50_000);
    expect(series[49_999]).toMatchObject({
      name: 'm',
      value: 49_999.5,
      labels: { host: 'h499', gpu: '7', id: '49999' },
    });
  });
});
