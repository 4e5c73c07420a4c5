import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Catalog } from '../catalog/catalog';
import { EventStore } from '../events/event-store';
import { openHistorian } from '../historian/historian';
import type { Historian } from '../historian/types';
import { IngestPipeline } from '../ingest/pipeline';
import type { QueryContext } from '../query/context';
import { TEST_POINTS, TEST_SITE } from './site';

export interface TestBed {
  dir: string;
  ctx: QueryContext;
  historian: Historian;
  events: EventStore;
  ingest: IngestPipeline;
  close(): Promise<void>;
}

/** A real historian and event store in a temp folder, removed by `close()`. */
export function openTestBed(now: () => number = Date.now): TestBed {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plenum-test-'));
  const historian = openHistorian({ dir, now });
  historian.ensurePoints(TEST_POINTS.map((p) => ({ id: p.id, valueType: p.valueType })));
  const events = new EventStore(dir);
  const ctx: QueryContext = { catalog: new Catalog(TEST_SITE, TEST_POINTS), historian, events, now };
  return {
    dir,
    ctx,
    historian,
    events,
    ingest: new IngestPipeline(historian, TEST_POINTS),
    async close() {
      await historian.close();
      events.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
