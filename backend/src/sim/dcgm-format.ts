/**
 * The Prometheus text exposition (format 0.0.4) of the simulated GPUs, shaped like NVIDIA's dcgm-exporter with
 * its default counters: the same metric names, HELP texts, TYPE gauge, and labels `gpu`, `UUID`, `pci_bus_id`,
 * `device`, `modelName`, `Hostname`, plus `rack` (what a Prometheus relabel rule would add at a real site).
 */
import type { GpuHostReading } from './model';

type Gpu = GpuHostReading['gpus'][number];

interface Metric {
  name: string;
  help: string;
  value: (g: Gpu) => string;
}

/** Values printed as dcgm-exporter prints them: integers for temperature and utilisation, 6 decimals for W. */
export const DCGM_METRICS: readonly Metric[] = [
  { name: 'DCGM_FI_DEV_GPU_TEMP', help: 'GPU temperature (in C).', value: (g) => String(Math.round(g.tempC)) },
  { name: 'DCGM_FI_DEV_POWER_USAGE', help: 'Power draw (in W).', value: (g) => g.powerW.toFixed(6) },
  { name: 'DCGM_FI_DEV_GPU_UTIL', help: 'GPU utilization (in %).', value: (g) => String(Math.round(g.utilPct)) },
];

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** One exposition for every online host; an offline host (device_offline) is absent, as a dead exporter is. */
export function formatDcgmMetrics(hosts: readonly GpuHostReading[]): string {
  const lines: string[] = [];
  const online = hosts.filter((h) => h.online);
  for (const m of DCGM_METRICS) {
    lines.push(`# HELP ${m.name} ${m.help}`, `# TYPE ${m.name} gauge`);
    for (const h of online) {
      for (const g of h.gpus) {
        const labels = [
          ['gpu', String(g.index)],
          ['UUID', g.uuid],
          ['pci_bus_id', g.pciBusId],
          ['device', `nvidia${g.index}`],
          ['modelName', h.modelName],
          ['Hostname', h.hostname],
          ['rack', h.rack],
        ]
          .map(([k, v]) => `${k}="${escapeLabel(v as string)}"`)
          .join(',');
        lines.push(`${m.name}{${labels}} ${m.value(g)}`);
      }
    }
  }
  return `${lines.join('\n')}\n`;
}
