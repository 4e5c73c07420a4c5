import type client from 'prom-client';
import { scrapedMetrics } from '../api/metrics';
import type { SparkplugStatus } from './index';

/** The Sparkplug roles' state on /metrics (api/metrics.ts' registry), read at scrape time; absent roles are absent. */
export function registerSparkplugMetrics(registry: client.Registry, status: () => SparkplugStatus): void {
  const { gauge, counter } = scrapedMetrics(registry, status);
  gauge(
    'plenum_sparkplug_edge_connected',
    'The edge node is connected to the broker (1) or not (0)',
    (s) => s.edge?.connected,
  );
  gauge(
    'plenum_sparkplug_edge_host_online',
    "The primary host's last STATE: online (1) or offline (0)",
    (s) => s.edge?.hostOnline,
  );
  gauge('plenum_sparkplug_edge_born', 'NBIRTH/DBIRTH published in this session: data flows (1)', (s) => s.edge?.born);
  gauge('plenum_sparkplug_edge_seq', 'seq of the last message published (0–255)', (s) => s.edge?.seq);
  gauge('plenum_sparkplug_edge_bdseq', "bdSeq of the current session (the NDEATH Will's)", (s) => s.edge?.bdSeq);
  gauge(
    'plenum_sparkplug_edge_queue_bytes',
    'Bytes of spooled samples waiting for the broker',
    (s) => s.edge?.queue.bytes,
  );
  gauge(
    'plenum_sparkplug_edge_queue_messages',
    'Spooled DDATA messages waiting for the broker',
    (s) => s.edge?.queue.entries,
  );
  counter(
    'plenum_sparkplug_edge_dropped_samples_total',
    'Samples dropped from the full spool (oldest first) since the spool file was created',
    (s) => s.edge?.queue.dropped,
  );
  gauge(
    'plenum_sparkplug_edge_caught_up_samples',
    'Samples read from the historian at start: acknowledged after their point was last spooled (a kill -9)',
    (s) => s.edge?.caughtUp,
  );
  counter(
    'plenum_sparkplug_edge_published_total',
    'DDATA messages the broker acknowledged since start',
    (s) => s.edge?.published,
  );
  counter(
    'plenum_sparkplug_edge_historical_total',
    'Of those, replayed from the spool with is_historical',
    (s) => s.edge?.historical,
  );
  counter('plenum_sparkplug_edge_births_total', 'NBIRTH + DBIRTH rounds since start', (s) => s.edge?.births);
  counter(
    'plenum_sparkplug_edge_commands_refused_total',
    'DCMD writes refused (with a reason in the log)',
    (s) => s.edge?.commands.refused,
  );
  counter(
    'plenum_sparkplug_edge_commands_written_total',
    'DCMD writes the automation guard carried out',
    (s) => s.edge?.commands.accepted,
  );
  gauge(
    'plenum_sparkplug_host_connected',
    'The primary host is connected to the broker (1) or not (0)',
    (s) => s.host?.connected,
  );
  gauge(
    'plenum_sparkplug_host_edges_online',
    'Edge nodes with a live session (NBIRTH, no NDEATH)',
    (s) => s.host?.edges.filter((e) => e.online).length,
  );
  counter(
    'plenum_sparkplug_host_samples_total',
    'Samples the primary host delivered to the historian since start',
    (s) => s.host?.samples,
  );
  counter('plenum_sparkplug_host_seq_gaps_total', 'seq gaps not filled within the reorder timeout', (s) =>
    s.host?.edges.reduce((n, e) => n + e.gaps, 0),
  );
  counter('plenum_sparkplug_host_rebirths_requested_total', 'NCMD Node Control/Rebirth sent', (s) =>
    s.host?.edges.reduce((n, e) => n + e.rebirthsAsked, 0),
  );
  counter(
    'plenum_sparkplug_host_skipped_metrics_total',
    'Metrics not read: unknown alias, unsupported data type, clashing id',
    (s) => s.host?.skipped,
  );
}
