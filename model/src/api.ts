import type { Point } from './point';
import type { PlenumQuery, QueryResponse, Selector } from './query';

/** The HTTP API's shapes besides `/api/query`, shared by the backend and the datasource. */

/** `GET /api/points` parameters (lists as `a,b` in the query string). */
export interface PointSearch extends Selector {
  /** 1-based, @default 1 */
  page?: number;
  /** @default 100, at most 1000 */
  pageSize?: number;
}

export interface PointPage {
  total: number;
  page: number;
  pageSize: number;
  points: Point[];
}

export type ConnectorState = 'starting' | 'up' | 'degraded' | 'down' | 'stopped';

/** `GET /api/health` */
export interface HealthResponse {
  /** degraded when a source fails */
  status: 'ok' | 'degraded';
  version: string;
  /** see `API_VERSION` */
  apiVersion: number;
  time: string;
  uptimeSeconds: number;
  points: number;
  connectors: Array<{ source: string; connector: string; state: ConnectorState; lastError?: string }>;
}

/** `POST /api/stream` body: a long poll over the streamable query types. */
export interface StreamRequest {
  queries: PlenumQuery[];
  /** the previous answer's `cursor`; absent on the first call */
  after?: number;
  /** longest hold, ms, @default 20000, at most 25000 */
  waitMs?: number;
  /** answers start this long before `after`, ms, @default 10000 */
  overlapMs?: number;
  maxDataPoints?: number;
  intervalMs?: number;
}

export interface StreamResponse extends QueryResponse {
  /** rows from here (ms) on replace what the client holds */
  from: number;
  /** send back as `after` */
  cursor: number;
}
