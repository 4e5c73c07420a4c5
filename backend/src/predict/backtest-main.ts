/**
 * `npm run backtest -- --from <time> --to <time> [--detectors a,b] [--config plenum.yaml] [--url http://…] [--json]`:
 * replays stored history through the detectors (backtest.ts). Without --url it opens the data folder of the site
 * config itself (the backend must be stopped: the store is opened exclusively); with --url it asks a running
 * backend (`POST /api/predictions/backtest`, a day at most; PLENUM_API_TOKEN is sent). Times: ISO 8601 or Unix ms.
 * Exit code 0 on success, 2 when the arguments, the config or the store are wrong (the message says which).
 */
import { parseArgs } from 'node:util';
import { errorMessage } from '../common/errors';
import { configPath } from '../config/config-path';
import { loadConfig } from '../config/load';
import { openHistorian } from '../historian/historian';
import { backtest, type BacktestResult } from './backtest';
import { PredictionSchema } from './config';

const USAGE =
  'usage: npm run backtest -- --from <ISO|ms> --to <ISO|ms> [--detectors filter_clog,sensor_drift] [--config plenum.yaml] [--url http://127.0.0.1:8080] [--json]';

const time = (v: string | undefined, flag: string): number => {
  if (v === undefined) throw new Error(`${flag}: required`);
  const ms = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  if (!Number.isFinite(ms)) throw new Error(`${flag}: expected an ISO 8601 time or Unix ms; got ${JSON.stringify(v)}`);
  return ms;
};

function print(r: BacktestResult): void {
  const iso = (t: number) => new Date(t).toISOString().replace('.000Z', 'Z');
  console.log(
    `backtest ${iso(r.from)} → ${iso(r.to)}: ${r.evaluations} evaluations at ${r.cadenceMs / 1000} s, ${r.tookMs} ms`,
  );
  if (r.learning)
    console.log(`  ${r.learning} of ${r.detectors} detectors were still learning at the end (too little history)`);
  for (const p of r.predictions)
    console.log(
      `  ${iso(p.opened)} → ${p.closed ? iso(p.closed) : 'open'}  ${p.severity.padEnd(8)} ${p.title}\n      ${p.text}`,
    );
  console.log(`${r.predictions.length} prediction${r.predictions.length === 1 ? '' : 's'}`);
}

async function main(): Promise<number> {
  let v: Record<string, string | boolean | undefined>;
  try {
    ({ values: v } = parseArgs({
      options: {
        from: { type: 'string' },
        to: { type: 'string' },
        detectors: { type: 'string' },
        config: { type: 'string' },
        url: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    console.error(`${errorMessage(err)}\n${USAGE}`);
    return 2;
  }
  if (v.help) {
    console.log(USAGE);
    return 0;
  }
  try {
    const from = time(v.from as string | undefined, '--from');
    const to = time(v.to as string | undefined, '--to');
    const detectors =
      typeof v.detectors === 'string'
        ? v.detectors
            .split(',')
            .map((d) => d.trim())
            .filter(Boolean)
        : undefined;
    let r: BacktestResult;
    if (typeof v.url === 'string') {
      const token = process.env.PLENUM_API_TOKEN;
      const res = await fetch(`${v.url.replace(/\/$/, '')}/api/predictions/backtest`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...(token && { Authorization: `Bearer ${token}` }) },
        body: JSON.stringify({ from, to, ...(detectors && { detectors }) }),
      });
      const body = (await res.json()) as BacktestResult & { error?: string };
      if (!res.ok) throw new Error(`${v.url}: HTTP ${res.status}: ${body.error ?? 'no message'}`);
      r = body;
    } else {
      const config = loadConfig(configPath(v.config as string | undefined, process.env, process.cwd()));
      const historian = openHistorian({ dir: config.historian.dataDir, retention: config.historian.retention });
      try {
        r = backtest(
          config.site,
          config.points.map((p) => p.id),
          historian,
          config.prediction ?? PredictionSchema.parse({}),
          { from, to, ...(detectors && { detectors }) },
        );
      } finally {
        await historian.close();
      }
    }
    if (v.json) console.log(JSON.stringify(r, null, 1));
    else print(r);
    return 0;
  } catch (err) {
    console.error(`backtest: ${errorMessage(err)}`);
    return 2;
  }
}

void main().then((code) => process.exit(code));
