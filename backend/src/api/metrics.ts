import client from 'prom-client';
import type { SourceState, SourceStatus } from '../connectors/runner';
import type { HistorianStats } from '../historian/types';
import type { IngestCounters } from '../ingest/pipeline';

const STATES: readonly SourceState[] = ['starting', 'up', 'degraded', 'down', 'stopped'];

export interface MetricSources {
  historian: () => HistorianStats;
  ingest: IngestCounters;
  sources: () => SourceStatus[];
}

/**
 * Prometheus metrics about the backend itself, in a registry of its own (no global state, so tests and several
 * servers in one process do not collide). Gauges are read at scrape time from the live objects.
 */
export class Metrics {
  readonly registry = new client.Registry();
  readonly queryDuration: client.Histogram<'query_type' | 'outcome'>;
  readonly httpDuration: client.Histogram<'method' | 'route' | 'status'>;

  constructor(src: MetricSources) {
    const registers = [this.registry];
    client.collectDefaultMetrics({ register: this.registry, prefix: 'plenum_process_' });
    new client.Counter({
      name: 'plenum_ingest_samples_total',
      help: 'Samples stored in the historian (durable) since start',
      registers,
      collect() {
        this.reset();
        this.inc(src.ingest.accepted);
      },
    });
    new client.Counter({
      name: 'plenum_ingest_rejected_total',
      help: 'Samples refused at ingest (unknown point, wrong type, bad time) since start',
      registers,
      collect() {
        this.reset();
        this.inc(src.ingest.rejected);
      },
    });
    const historianGauge = (name: string, help: string, read: (s: HistorianStats) => number) =>
      new client.Gauge({
        name,
        help,
        registers,
        collect() {
          this.set(read(src.historian()));
        },
      });
    historianGauge('plenum_historian_queue_depth', 'Samples waiting for the next group commit', (s) => s.queueDepth);
    historianGauge(
      'plenum_historian_head_samples',
      'Samples durable in the staging log, not yet compressed',
      (s) => s.headSamples,
    );
    historianGauge(
      'plenum_historian_head_bytes',
      'Bytes the not yet compressed samples take in memory',
      (s) => s.headBytes,
    );
    historianGauge('plenum_historian_points', 'Points registered in the historian', (s) => s.points);
    historianGauge('plenum_historian_disk_bytes', 'Bytes of the historian data folder', (s) => s.diskBytes);
    historianGauge('plenum_historian_last_commit_seconds', 'Duration of the last commit', (s) => s.lastCommitMs / 1000);
    historianGauge(
      'plenum_historian_decoded_cache_bytes',
      'Bytes of decoded raw chunks kept for repeated reads',
      (s) => s.decodedCache?.bytes ?? 0,
    );
    for (const [what, help] of [
      ['hits', 'Chunk reads served from the decoded-chunk cache since start'],
      ['misses', 'Chunk reads that decoded the chunk (not in the decoded-chunk cache) since start'],
    ] as const)
      new client.Counter({
        name: `plenum_historian_decoded_cache_${what}_total`,
        help,
        registers,
        collect() {
          this.reset();
          this.inc(src.historian().decodedCache?.[what] ?? 0);
        },
      });
    new client.Gauge({
      name: 'plenum_connector_state',
      help: 'Connector state per source: 1 for the current state, 0 for the others',
      labelNames: ['source', 'connector', 'state'],
      registers,
      collect() {
        this.reset();
        for (const s of src.sources())
          for (const state of STATES)
            this.set({ source: s.source, connector: s.connector, state }, s.state === state ? 1 : 0);
      },
    });
    new client.Counter({
      name: 'plenum_connector_samples_total',
      help: 'Samples delivered by each source since start',
      labelNames: ['source', 'connector'],
      registers,
      collect() {
        this.reset();
        for (const s of src.sources()) this.inc({ source: s.source, connector: s.connector }, s.samples);
      },
    });
    new client.Counter({
      name: 'plenum_connector_failures_total',
      help: 'Failed gathers or starts of each source since start',
      labelNames: ['source', 'connector'],
      registers,
      collect() {
        this.reset();
        for (const s of src.sources()) this.inc({ source: s.source, connector: s.connector }, s.failures);
      },
    });
    this.queryDuration = new client.Histogram({
      name: 'plenum_query_duration_seconds',
      help: 'Time to answer one query of POST /api/query, by queryType',
      labelNames: ['query_type', 'outcome'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.httpDuration = new client.Histogram({
      name: 'plenum_http_request_duration_seconds',
      help: 'HTTP request latency by route',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers,
    });
  }
}

/**
 * Gauges and counters read from a status object at scrape time, in `registry`: a gauge read as undefined is
 * absent from the scrape (a role that is not running), a counter is set to the status' running total.
 */
export function scrapedMetrics<S>(registry: client.Registry, status: () => S) {
  const registers = [registry];
  return {
    gauge: (name: string, help: string, read: (s: S) => number | boolean | undefined) =>
      new client.Gauge({
        name,
        help,
        registers,
        collect() {
          const v = read(status());
          if (v === undefined) this.reset();
          else this.set(Number(v));
        },
      }),
    counter: (name: string, help: string, read: (s: S) => number | undefined) =>
      new client.Counter({
        name,
        help,
        registers,
        collect() {
          this.reset();
          const v = read(status());
          if (v !== undefined) this.inc(v);
        },
      }),
  };
}
