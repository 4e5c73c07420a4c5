/**
 * Errors classed by origin, so callers answer the right way: a `query` error is the user's to fix (HTTP 400 on
 * its refId), `config` stops start-up with the file and field named, `device` marks a connector state, and
 * `internal` is ours (HTTP 500, logged). Messages never carry secrets (tokens, passwords).
 */
export type ErrorOrigin = 'config' | 'device' | 'query' | 'internal';

export class PlenumError extends Error {
  constructor(
    readonly origin: ErrorOrigin,
    message: string,
  ) {
    super(message);
    this.name = `PlenumError(${origin})`;
  }
}

/** A request the user can fix: names the field (`queries[1].selector.hall`) and what is expected. */
export class QueryError extends PlenumError {
  constructor(message: string) {
    super('query', message);
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
