import type { Catalog } from '../catalog/catalog';
import type { EventStore } from '../events/event-store';
import type { SourceStatus } from '../connectors/runner';
import type { Historian } from '../historian/types';
import type { DetectorStatus } from '../predict/detectors';

/** What query handlers read from. `now` is injectable so relative times are testable. */
export interface QueryContext {
  catalog: Catalog;
  historian: Historian;
  events: EventStore;
  now: () => number;
  /** the running sources' states, for `sources` queries; none when unset */
  sources?: () => SourceStatus[];
  /** the prediction detectors' states, for `predictions` queries; none when unset */
  detectors?: () => DetectorStatus[];
}

/** Request-wide settings every handler sees. */
export interface QueryEnv {
  from: number;
  to: number;
  /** @default 1000 */
  maxDataPoints: number;
  /** @default 0 */
  intervalMs: number;
}
