/**
 * The hub's query engine: the edge's own engine (query/engine.ts) run over a snapshot of the shared store. For
 * each request it runs the engine on an empty snapshot, which records every read (the plan: which points, which
 * bucket grid, which raw windows), prefetches those reads from the store in a few batched PromQL queries
 * (prefetch.ts), and runs the engine again on the filled snapshot. A read the second run adds (none today: the
 * engine's reads depend on the request and the catalog, not on the data) is fetched and the engine run once more.
 */
import type { Point, QueryResponse, Site } from '@plenum/model';
import { Catalog } from '../catalog/catalog';
import type { EventStore } from '../events/event-store';
import { runQueries, type QueryObserver } from '../query/engine';
import { metricName } from '../promql/series-model';
import { mergeTopology, pointsFromSeries } from './catalog-from-series';
import type { HubConfig } from './config';
import { prefetch } from './prefetch';
import { byMetric } from './selectors';
import { hasMissing, SnapshotHistorian } from './snapshot';
import type { StoreClient } from './store-client';

/** engine runs per request at most: plan, answer, and one more for reads only the answer run made */
const MAX_PASSES = 3;

export interface ReaderStatus {
  points: number;
  /** series the store has that are not Plenum points, with the first reason */
  skippedSeries: number;
  skippedExample?: string;
  lastRefresh?: number;
  lastRefreshError?: string;
  storeRequests: number;
}

export class StoreReader {
  private current: { catalog: Catalog; metrics: Map<string, Point[]> };
  private status: Omit<ReaderStatus, 'points' | 'storeRequests'> = { skippedSeries: 0 };

  constructor(
    private readonly client: StoreClient,
    private readonly config: HubConfig,
    private readonly site: Site,
    private readonly events: EventStore,
    private readonly now: () => number,
  ) {
    this.current = { catalog: new Catalog(site, []), metrics: new Map() };
  }

  get catalog(): Catalog {
    return this.current.catalog;
  }

  /**
   * Rebuilds the catalog from the store's value series with samples in the last `catalogLookback`. A failure keeps
   * the previous catalog (and is reported in health); the first refresh's failure is thrown to the caller.
   */
  async refresh(): Promise<void> {
    const now = this.now();
    try {
      // every Plenum value series: a name pattern, not one match[] per quantity
      const series = await this.client.series(
        '{__name__=~"plenum_.+",point!=""}',
        now - this.config.catalogLookback,
        now,
      );
      const { points, skipped } = pointsFromSeries(series);
      const catalog = new Catalog(mergeTopology(this.site, points), points);
      this.current = { catalog, metrics: byMetric(catalog.all()) };
      this.status = {
        skippedSeries: skipped.length,
        ...(skipped[0] && { skippedExample: `${JSON.stringify(skipped[0].labels)}: ${skipped[0].reason}` }),
        lastRefresh: now,
      };
    } catch (err) {
      this.status = { ...this.status, lastRefreshError: (err as Error).message };
      throw err;
    }
  }

  readerStatus(): ReaderStatus {
    return { ...this.status, points: this.current.catalog.size, storeRequests: this.client.requests };
  }

  /** Answers a POST /api/query body as the edge's engine does; envelope errors throw (a 400). */
  async answer(body: unknown, obs: QueryObserver = {}): Promise<QueryResponse> {
    const now = this.now();
    const { catalog, metrics } = this.current;
    const env = {
      client: this.client,
      catalog,
      metrics,
      kind: this.config.store.kind,
      maxQueryBytes: this.config.store.maxQueryBytes,
      latestLookbackMs: this.config.latestLookback,
      now,
    };
    const snap = new SnapshotHistorian();
    const run = () => runQueries({ catalog, historian: snap, events: this.events, now: () => now }, body, obs);
    let answer = run();
    for (let pass = 1; pass < MAX_PASSES && hasMissing(snap.missing); pass++) {
      await prefetch(env, snap.takeMissing(), snap);
      answer = run();
    }
    return answer;
  }
}

/** The store series name of a point (for messages and tests). */
export const seriesOf = (p: Point): string => metricName(p.quantity);
