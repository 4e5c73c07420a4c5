/**
 * Errors of the Prometheus HTTP API: `errorType` and HTTP status as Prometheus answers them (web/api/v1/api.go):
 * bad_data 400 (a parameter or the expression is wrong), execution 422 (a valid expression that cannot be
 * evaluated on this data), timeout 503, internal 500. Messages name the parameter: `invalid parameter "query": …`.
 */
export type PromErrorType = 'bad_data' | 'execution' | 'timeout' | 'canceled' | 'internal';

export const ERROR_STATUS: Readonly<Record<PromErrorType, number>> = {
  bad_data: 400,
  execution: 422,
  timeout: 503,
  canceled: 503,
  internal: 500,
};

export class PromError extends Error {
  constructor(
    readonly type: PromErrorType,
    message: string,
  ) {
    super(message);
    this.name = `PromError(${type})`;
  }

  get status(): number {
    return ERROR_STATUS[this.type];
  }
}

/** A parse or type error of the expression (bad_data, 400); the route prefixes `invalid parameter "query": `. */
export class ParseError extends PromError {
  constructor(message: string) {
    super('bad_data', message);
  }
}

/** PromQL that parses but that Plenum does not evaluate (bad_data, 400), naming the construct. */
export class UnsupportedError extends PromError {
  constructor(construct: string) {
    super('bad_data', `unsupported by Plenum: ${construct} (see backend/src/promql/README.md)`);
  }
}

/** A valid expression that cannot be evaluated on this data (execution, 422): duplicate series, many-to-many. */
export class ExecutionError extends PromError {
  constructor(message: string) {
    super('execution', message);
  }
}
