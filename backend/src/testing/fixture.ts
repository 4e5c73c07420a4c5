import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ApiDeps } from '../api/routes';
import { Metrics } from '../api/metrics';
import { Catalog } from '../catalog/catalog';
import type { SourceStatus } from '../connectors/runner';
import { EventStore } from '../events/event-store';
import { openHistorian } from '../historian/historian';
import type { Historian } from '../historian/types';
import { IngestPipeline } from '../ingest/pipeline';
import { Arrivals } from '../stream/arrivals';
import type { QueryContext } from '../query/context';
import { TEST_POINTS, TEST_SITE } from './site';

export interface TestBed {
  dir: string;
  ctx: QueryContext;
  historian: Historian;
  events: EventStore;
  ingest: IngestPipeline;
  /** fed by `ingest`, as in the running backend */
  arrivals: Arrivals;
  close(): Promise<void>;
}

/** A real historian and event store in a temp folder, removed by `close()`. */
export function openTestBed(now: () => number = Date.now): TestBed {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plenum-test-'));
  const historian = openHistorian({ dir, now });
  historian.ensurePoints(TEST_POINTS.map((p) => ({ id: p.id, valueType: p.valueType })));
  const events = new EventStore(dir);
  const ctx: QueryContext = { catalog: new Catalog(TEST_SITE, TEST_POINTS), historian, events, now };
  const ingest = new IngestPipeline(historian, TEST_POINTS);
  const arrivals = new Arrivals(now);
  ingest.onStored((ids) => arrivals.record(ids));
  return {
    dir,
    ctx,
    historian,
    events,
    ingest,
    arrivals,
    async close() {
      arrivals.close();
      await historian.close();
      events.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The API's dependencies over a test bed: no sources unless given, version `test`, log dropped unless given. */
export function apiDeps(bed: TestBed, opts: { sources?: SourceStatus[]; log?: (msg: string) => void } = {}): ApiDeps {
  const sources = () => opts.sources ?? [];
  return {
    ctx: bed.ctx,
    ingest: bed.ingest,
    arrivals: bed.arrivals,
    sources,
    metrics: new Metrics({ historian: () => bed.historian.stats(), ingest: bed.ingest.counters, sources }),
    version: 'test',
    startedAt: Date.now(),
    log: opts.log ?? (() => {}),
  };
}
