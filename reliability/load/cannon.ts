/**
 * The part of autocannon 8's programmatic API the suites use (it ships no types). README "API":
 * `autocannon(opts)` returns an instance that is also a promise of the result; `instance.stop()` ends it early.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as (opts: CannonOptions) => CannonInstance;

export interface CannonRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  setupRequest?: (req: CannonRequest, context: Record<string, unknown>) => CannonRequest;
  onResponse?: (status: number, body: string, context: Record<string, unknown>) => void;
}

export interface CannonClient {
  setRequests(requests: CannonRequest[]): void;
}

export interface CannonOptions {
  url: string;
  connections: number;
  duration: number;
  /** seconds */
  timeout?: number;
  overallRate?: number;
  connectionRate?: number;
  method?: string;
  headers?: Record<string, string>;
  requests?: CannonRequest[];
  setupClient?: (client: CannonClient) => void;
  title?: string;
}

export interface Histogram {
  average: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export interface CannonResult {
  title?: string;
  latency: Histogram;
  requests: Histogram & { total: number; sent: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  '2xx': number;
  duration: number;
}

export interface CannonInstance extends Promise<CannonResult> {
  stop(): void;
  /** `reqError`: a request failed without an answer (reset, parse error, a throwing onResponse) */
  on(event: 'reqError', fn: (err: Error) => void): this;
}

export function cannon(opts: CannonOptions): CannonInstance {
  return autocannon(opts);
}
