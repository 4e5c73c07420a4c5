import type { ConnectorDefinition } from '../types';
import { prometheusOptions, type PrometheusOptions } from './config';
import { createPrometheus } from './prometheus';

export const prometheus: ConnectorDefinition<PrometheusOptions> = {
  name: 'prometheus',
  description:
    'Prometheus: scrape exposition endpoints (DCGM exporter, node_exporter) or query a Prometheus server (instant queries, backfill after gaps)',
  options: prometheusOptions,
  init: (source) => createPrometheus(source),
};
