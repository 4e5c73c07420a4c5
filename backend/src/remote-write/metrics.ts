import client from 'prom-client';
import { scrapedMetrics } from '../api/metrics';
import { DROP_REASONS } from './queue';
import type { RemoteWriteStatus } from './index';

/**
 * The remote write's state on /metrics, in the backend's registry (api/metrics.ts), read at scrape time. Counters
 * of the queue (enqueued, sent, dropped) are kept in the queue file, so they count since the queue was created, not
 * since this start: a drop stays visible after a restart.
 */
export function registerRemoteWriteMetrics(registry: client.Registry, status: () => RemoteWriteStatus): void {
  const { gauge, counter } = scrapedMetrics(registry, status);
  gauge(
    'plenum_remote_write_queue_bytes',
    'Bytes of samples waiting in the durable queue (20 per sample)',
    (s) => s.queue.bytes,
  );
  gauge(
    'plenum_remote_write_queue_max_bytes',
    'Bound of the durable queue (remoteWrite.queueMaxBytes)',
    (s) => s.queue.maxBytes,
  );
  gauge('plenum_remote_write_queue_samples', 'Samples waiting in the durable queue', (s) => s.queue.samples);
  gauge(
    'plenum_remote_write_queue_head_timestamp_seconds',
    'Timestamp of the next sample to send (absent when the queue is empty): how far behind the receiver is',
    (s) => (s.queue.headTs === undefined ? undefined : s.queue.headTs / 1000),
  );
  counter(
    'plenum_remote_write_samples_enqueued_total',
    'Samples queued for remote write (since the queue was created)',
    (s) => s.queue.counters.enqueued,
  );
  counter(
    'plenum_remote_write_samples_sent_total',
    'Samples the receiver acknowledged (since the queue was created)',
    (s) => s.queue.counters.sent,
  );
  new client.Counter({
    name: 'plenum_remote_write_samples_dropped_total',
    help: "Samples not sent, by reason: queue_full (oldest dropped at queueMaxBytes), rejected (4xx), out_of_order (older than the series' newest queued)",
    labelNames: ['reason'],
    registers: [registry],
    collect() {
      this.reset();
      const d = status().queue.counters.dropped;
      for (const r of DROP_REASONS) this.inc({ reason: r }, d[r]);
    },
  });
  counter(
    'plenum_remote_write_retries_total',
    'Requests sent again after 429, 5xx, a timeout or a network error (since start)',
    (s) => s.sender.retries,
  );
  counter(
    'plenum_remote_write_requests_total',
    'Requests the receiver answered 2xx (since start)',
    (s) => s.sender.requests,
  );
  gauge(
    'plenum_remote_write_backoff_seconds',
    'Current wait before the next retry (0 when not backing off)',
    (s) => s.sender.backoffMs / 1000,
  );
  gauge(
    'plenum_remote_write_last_success_timestamp_seconds',
    'Wall-clock time of the last request answered 2xx (absent before the first)',
    (s) => (s.sender.lastSuccess === undefined ? undefined : s.sender.lastSuccess / 1000),
  );
}
