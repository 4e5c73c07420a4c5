/**
 * The report page (`reports/<name>/index.html`): one self-contained file with the verdict, the key figures, the
 * checks, plots of the inlet envelope, the cooling response and energy, the ground-truth timeline, the hottest
 * racks with what Plenum measured beside the truth, and the run. Pure: report + series in, HTML out.
 */
import type { TwinReport } from '../../sim/scenario/twin-report';
import { METRICS, type MetricName } from '../metrics';
import type { ScenarioReport } from './report';
import { lineChart, type Chart } from './svg';

const C = {
  max: '#e02f44',
  mean: '#ff9830',
  min: '#3274d9',
  band: 'rgba(255, 152, 48, 0.18)',
  ok: 'rgba(115, 191, 105, 0.13)',
  supply: '#3274d9',
  chw: '#8f3bb8',
  cdu: '#1f9e89',
  fan: '#ff9830',
  chillers: '#8f3bb8',
  it: '#e02f44',
  cooling: '#3274d9',
  energy: '#1f9e89',
  outdoor: '#ad7b2a',
  gpu: '#e02f44',
};

function esc(s: unknown): string {
  return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function fmt(v: number, digits = 1): string {
  if (!Number.isFinite(v)) return '–';
  const abs = Math.abs(v);
  if (abs >= 10_000) return Math.round(v).toLocaleString('en-GB');
  return v.toFixed(abs >= 100 ? 0 : digits);
}

function figure(name: MetricName, value: number): string {
  const m = METRICS[name];
  return `${fmt(value, name === 'coolingPerItEnergy' ? 3 : 1)}${m.unit ? ` ${m.unit}` : ''}`;
}

interface Marker {
  time: number;
  label: string;
}

/** Fault starts and ends, writes and job starts, from the ground truth, for the plots and the timeline. */
function timeline(twin: TwinReport): Array<Marker & { kind: string }> {
  const out: Array<Marker & { kind: string }> = [];
  for (const e of twin.groundTruth as Array<Record<string, unknown>>) {
    const time = Number(e.time);
    if (!Number.isFinite(time)) continue;
    if (e.type === 'write') {
      out.push({ time, kind: 'write', label: `${e.by} wrote ${e.target}: ${e.from} → ${e.to}` });
    } else {
      out.push({
        time,
        kind: `fault ${e.phase}`,
        label: `${e.type} ${e.phase} on ${e.target}${e.params && Object.keys(e.params as object).length ? ` ${JSON.stringify(e.params)}` : ''}`,
      });
    }
  }
  for (const j of twin.jobs as Array<{
    id: string;
    racks: string[];
    start: number;
    expectedKwPerRack: number;
    source?: string;
  }>) {
    if (j.source === 'schedule') continue;
    out.push({
      time: j.start,
      kind: 'job',
      label: `job ${j.id}: ${j.racks.length} rack${j.racks.length === 1 ? '' : 's'} at ${j.expectedKwPerRack} kW`,
    });
  }
  return out.sort((a, b) => a.time - b.time);
}

export function reportHtml(r: ScenarioReport, twin: TwinReport): string {
  const s = twin.series;
  const events = timeline(twin);
  const markers = events.filter((e) => e.kind !== 'write' || events.length < 200);
  const charts: Chart[] = [
    {
      title: 'Rack inlet temperature (ground truth): range over all racks, mean',
      unit: '°C',
      time: s.time,
      bands: [{ name: 'lowest … highest rack', lower: s.inletMinC, upper: s.inletMaxC, color: C.band }],
      lines: [
        { name: 'highest rack', values: s.inletMaxC, color: C.max, reduce: 'max' },
        { name: 'mean', values: s.inletMeanC, color: C.mean },
        { name: 'lowest rack', values: s.inletMinC, color: C.min, reduce: 'min' },
      ],
      limits: [
        { value: 27, label: '27 °C recommended', color: '#c4162a' },
        { value: 32, label: '32 °C allowable (A1)', color: '#8a0d1d' },
      ],
      shade: { from: 18, to: 27, label: 'ASHRAE recommended 18–27 °C', color: C.ok },
      include: [18, 27],
      markers,
    },
    {
      title: 'Cooling response: supply air, chilled water, CDU supply; fans and chillers',
      unit: '°C',
      rightUnit: '% fan · chillers running',
      time: s.time,
      lines: [
        { name: 'CRAH supply air (mean)', values: s.crahSupplyMeanC, color: C.supply },
        { name: 'chilled-water supply', values: s.chwSupplyC, color: C.chw },
        { name: 'CDU supply', values: s.cduSupplyC, color: C.cdu },
        { name: 'CRAH fan (mean %)', values: s.crahFanMeanPct, color: C.fan, axis: 'right', dash: '5 3' },
        {
          name: 'chillers running ×10',
          values: s.chillersRunning.map((n) => n * 10),
          color: C.chillers,
          axis: 'right',
          dash: '2 3',
          reduce: 'max',
        },
      ],
      markers,
    },
    {
      title: 'IT load and cooling power',
      unit: 'kW',
      rightUnit: 'cooling energy, kWh',
      time: s.time,
      lines: [
        { name: 'IT (all PDUs)', values: s.itKw, color: C.it, reduce: 'max' },
        { name: 'cooling (fans, chillers, pumps)', values: s.coolingKw, color: C.cooling },
        { name: 'cooling energy', values: s.coolingKwh, color: C.energy, axis: 'right', dash: '5 3' },
      ],
      include: [0],
      markers,
    },
    {
      title: 'Hottest GPU and outdoor air',
      unit: '°C',
      time: s.time,
      lines: [
        { name: 'hottest GPU die', values: s.gpuMaxC, color: C.gpu, reduce: 'max' },
        { name: 'outdoor air', values: s.outdoorC, color: C.outdoor },
      ],
      markers,
    },
  ];
  const keyFigures: MetricName[] = [
    'maxInletC',
    'minutesAbove27C',
    'minutesAbove32C',
    'rateOfChangeViolations',
    'gpuThrottleRackMin',
    'thermalGpuHours',
    'cappedGpuHours',
    'coolingEnergyKwh',
    'coolingPerItEnergy',
  ];
  const racks = [...r.racks].sort((a, b) => b.maxInletC - a.maxInletC);
  const rackRow = (x: (typeof racks)[number]) =>
    `<tr><td>${esc(x.rack)}</td><td>${fmt(x.maxInletC)}</td><td>${x.measuredMaxInletC !== undefined ? fmt(x.measuredMaxInletC) : '–'}</td><td>${fmt(x.minutesAbove27C, 0)}</td><td>${fmt(x.minutesAbove32C, 0)}</td><td>${fmt(x.rateOfChangeViolations, 0)}</td><td>${fmt(x.gpuThrottleMin, 0)}</td><td>${fmt(x.maxGpuC)}</td></tr>`;
  const rackHead =
    '<tr><th>rack</th><th>max inlet °C (truth)</th><th>max inlet °C (Plenum measured)</th><th>min &gt; 27 °C</th><th>min &gt; 32 °C</th><th>rate-of-change min</th><th>GPU throttle min</th><th>hottest GPU °C</th></tr>';
  const verdict = r.checks.length === 0 ? 'no checks' : r.passed ? 'checks passed' : 'checks failed';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(r.scenario.name)} — Plenum twin scenario</title>
<style>
  :root { font-family: Inter, "Helvetica Neue", Arial, sans-serif; color: #24292e; background: #f4f5f5; }
  body { max-width: 1040px; margin: 0 auto; padding: 24px; }
  h1 { font-size: 26px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 28px 0 10px; }
  .desc { color: #555; margin: 0 0 16px; } .meta { color: #666; font-size: 13px; }
  .badge { display: inline-block; padding: 3px 10px; border-radius: 12px; font-weight: 600; font-size: 13px; margin-left: 8px; vertical-align: middle; }
  .pass { background: #d9f2d6; color: #1a7f37; } .fail { background: #fde0e0; color: #b3261e; } .none { background: #e6e6e6; color: #555; }
  .cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(190px, 1fr)); gap: 10px; }
  .card { background: #fff; border-radius: 6px; padding: 10px 12px; box-shadow: 0 1px 2px rgba(0,0,0,.08); }
  .card .v { font-size: 22px; font-weight: 600; } .card .k { font-size: 12px; color: #666; }
  .panel { background: #fff; border-radius: 6px; padding: 8px 8px 0; margin: 12px 0; box-shadow: 0 1px 2px rgba(0,0,0,.08); }
  table { border-collapse: collapse; width: 100%; background: #fff; font-size: 13px; box-shadow: 0 1px 2px rgba(0,0,0,.08); }
  th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid #eee; } th { background: #fafafa; font-weight: 600; }
  td.ok { color: #1a7f37; font-weight: 600; } td.bad { color: #b3261e; font-weight: 600; }
  svg .title { font-size: 14px; font-weight: 600; fill: #24292e; } svg .tick { font-size: 11px; fill: #666; }
  svg .unit { font-size: 11px; fill: #666; } svg .legend { font-size: 12px; fill: #333; } svg .limit { font-size: 11px; }
  svg .grid { stroke: #eee; } svg .frame { fill: none; stroke: #ccc; } svg .marker { stroke: #b877d9; stroke-dasharray: 2 3; }
  details summary { cursor: pointer; margin: 8px 0; color: #3274d9; }
  code { font-size: 12px; }
</style></head><body>
<h1>${esc(r.scenario.name)}<span class="badge ${r.checks.length === 0 ? 'none' : r.passed ? 'pass' : 'fail'}">${verdict}</span></h1>
<p class="desc">${esc(r.scenario.description)}</p>
<p class="meta">simulated ${esc(r.scenario.start)} → ${esc(r.scenario.end)} (${fmt(r.scenario.durationHours)} h) at ×${r.scenario.speed} · seed ${esc(r.scenario.seed)} · ran in ${fmt(r.run.wallSeconds, 0)} s of wall time · figures from the twin's ground truth, not from sensors</p>

<div class="cards">${keyFigures.map((k) => `<div class="card"><div class="v">${figure(k, r.figures[k])}</div><div class="k">${esc(METRICS[k].description)}</div></div>`).join('')}</div>

<h2>Checks</h2>
${r.checks.length ? `<table><tr><th>figure</th><th>value</th><th>must be</th><th></th></tr>${r.checks.map((c) => `<tr><td>${esc(c.metric)}</td><td>${fmt(c.value)} ${esc(c.unit)}</td><td>${[c.min !== undefined ? `≥ ${c.min}` : '', c.max !== undefined ? `≤ ${c.max}` : ''].filter(Boolean).join(' and ')}</td><td class="${c.passed ? 'ok' : 'bad'}">${c.passed ? 'holds' : 'fails'}</td></tr>`).join('')}</table>` : '<p class="meta">This scenario has no checks.</p>'}

<h2>What happened</h2>
${charts.map((c) => `<div class="panel">${lineChart(c)}</div>`).join('\n')}

<h2>Timeline (ground truth)</h2>
${
  events.length
    ? `<table><tr><th>simulated time</th><th>what</th><th></th></tr>${events
        .slice(0, 300)
        .map(
          (e) =>
            `<tr><td>${esc(new Date(e.time).toISOString().replace('T', ' ').slice(0, 19))}</td><td>${esc(e.kind)}</td><td>${esc(e.label)}</td></tr>`,
        )
        .join(
          '',
        )}</table>${events.length > 300 ? `<p class="meta">… and ${events.length - 300} more in ground-truth.jsonl</p>` : ''}`
    : '<p class="meta">No faults, writes or scenario jobs.</p>'
}
${r.refused.length ? `<p class="meta">Refused by the twin: ${r.refused.map(esc).join('; ')}</p>` : ''}

<h2>Racks, hottest first</h2>
<table>${rackHead}${racks.slice(0, 10).map(rackRow).join('')}</table>
<details><summary>all ${racks.length} racks</summary><table>${rackHead}${racks.slice(10).map(rackRow).join('')}</table></details>

<h2>All figures</h2>
<table><tr><th>figure</th><th>value</th><th>what</th></tr>${(Object.keys(METRICS) as MetricName[]).map((k) => `<tr><td><code>${k}</code></td><td>${figure(k, r.figures[k])}</td><td>${esc(METRICS[k].description)}</td></tr>`).join('')}</table>

<h2>Plenum during the run</h2>
${r.plenum.error ? `<p class="fail">The backend could not be asked: ${esc(r.plenum.error)}</p>` : ''}
<table><tr><th>source</th><th>connector</th><th>state at the end</th><th>samples</th><th>last error</th></tr>${r.plenum.sources.map((x) => `<tr><td>${esc(x.source)}</td><td>${esc(x.connector)}</td><td>${esc(x.state)}</td><td>${x.samples.toLocaleString('en-GB')}</td><td>${esc(x.lastError ?? '')}</td></tr>`).join('')}</table>
${Object.entries(r.plugins)
  .map(
    ([name, p]) =>
      `<h2>${esc(name)}</h2><table>${Object.entries(p.figures)
        .map(([k, v]) => `<tr><td>${esc(k)}</td><td>${fmt(v)}</td></tr>`)
        .join('')}</table>${p.notes.map((n) => `<p>${esc(n)}</p>`).join('')}`,
  )
  .join('\n')}
<p class="meta">clock <code>${esc(r.run.clock)}</code> · scenario <code>${esc(r.scenario.file)}</code> · site <code>${esc(r.scenario.config)}</code> · report.json, series.json and ground-truth.jsonl beside this page</p>
</body></html>
`;
}
