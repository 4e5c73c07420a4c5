/**
 * `npm run scenario -- scenarios/<name>.yaml [--speed N] [--out reports]`: runs a twin scenario with the backend
 * over real protocols and writes reports/<name>/ (run.ts, report/). Exit code: 0 every check held, 1 a check
 * failed, 2 the file or the run failed (the error names the file, the line and the field, or the process).
 */
import { parseArgs } from 'node:util';
import { errorMessage } from '../common/errors';
import { METRICS, type MetricName } from './metrics';
import { runScenario } from './run';

const USAGE = 'usage: npm run scenario -- scenarios/<name>.yaml [--speed <simulated s per wall s>] [--out <dir>]';

async function main(): Promise<number> {
  let v: { speed?: string; out?: string; help?: boolean };
  let positionals: string[];
  try {
    ({ values: v, positionals } = parseArgs({
      options: { speed: { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
    }));
  } catch (err) {
    console.error(`${errorMessage(err)}\n${USAGE}`);
    return 2;
  }
  if (v.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length !== 1) {
    console.error(`expected one scenario file\n${USAGE}`);
    return 2;
  }
  const speed = v.speed === undefined ? undefined : Number(v.speed);
  if (speed !== undefined && !(speed > 0 && speed <= 3600)) {
    console.error(`--speed: expected a number in (0, 3600]; got ${JSON.stringify(v.speed)}`);
    return 2;
  }
  const tty = process.stdout.isTTY;
  let lastDecile = -1;
  try {
    const { dir, report } = await runScenario({
      file: positionals[0] as string,
      speed,
      outDir: v.out,
      progress(line, p) {
        // a line that rewrites itself on a terminal, one per 10 % in a log
        if (tty) process.stdout.write(`\r${line.padEnd(110).slice(0, 140)}`);
        else if (Math.floor(p.done * 10) > lastDecile) {
          lastDecile = Math.floor(p.done * 10);
          console.log(line);
        }
      },
    });
    if (tty) process.stdout.write('\n');
    const f = report.figures;
    const show: MetricName[] = [
      'maxInletC',
      'minutesAbove27C',
      'minutesAbove32C',
      'rateOfChangeViolations',
      'thermalGpuHours',
      'cappedGpuHours',
      'coolingEnergyKwh',
    ];
    for (const k of show) console.log(`  ${k.padEnd(24)} ${Number(f[k].toFixed(2))} ${METRICS[k].unit}`);
    for (const c of report.checks)
      console.log(
        `  check ${c.metric} ${[c.min !== undefined ? `≥ ${c.min}` : '', c.max !== undefined ? `≤ ${c.max}` : ''].filter(Boolean).join(' and ')}: ${Number(c.value.toFixed(2))} ${c.unit} → ${c.passed ? 'holds' : 'FAILS'}`,
      );
    console.log(`  report: ${dir}/index.html (${report.run.wallSeconds} s of wall time)`);
    return report.passed ? 0 : 1;
  } catch (err) {
    if (tty) process.stdout.write('\n');
    console.error(errorMessage(err));
    return 2;
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(errorMessage(err));
    process.exit(2);
  },
);
