import type { Catalog } from '../catalog/catalog';
import type { EventStore } from '../events/event-store';
import type { SourceStatus } from '../connectors/runner';
import type { Historian } from '../historian/types';

/** What query handlers read from. `now` is injectable so relative times are testable. */
export interface QueryContext {
  catalog: Catalog;
  historian: Historian;
  events: EventStore;
  now: () => number;
  /** the running sources' states, for `sources` queries; none when unset */
  sources?: () => SourceStatus[];
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
