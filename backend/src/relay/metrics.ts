import type client from 'prom-client';
import { scrapedMetrics } from '../api/metrics';
import type { EdgeRelayStatus } from './edge-relay';

/** The edge relay's state on /metrics (api/metrics.ts' registry), read at scrape time. */
export function registerEdgeRelayMetrics(registry: client.Registry, status: () => EdgeRelayStatus): void {
  const { gauge, counter } = scrapedMetrics(registry, status);
  gauge(
    'plenum_relay_events_waiting',
    'Events written after the last change the hub acknowledged: not yet stored at the hub',
    (s) => s.waiting,
  );
  gauge('plenum_relay_cursor', 'The last event change number the hub acknowledged', (s) => s.cursor);
  counter('plenum_relay_batches_acked_total', 'Event batches the hub acknowledged since start', (s) => s.batchesAcked);
  counter(
    'plenum_relay_batches_resent_total',
    'Event batches sent again after no ack within the ack timeout (the hub or broker away)',
    (s) => s.batchesResent,
  );
  counter('plenum_relay_jobs_total', 'Job webhooks the hub routed here and this edge answered', (s) => s.jobsHandled);
}
