import { PlenumError } from '../../common/errors';

/**
 * A request to the simulated hall the caller can fix: an unknown rack or point, a value out of range, a bad
 * fault. The message names the field and what is expected; the control API answers it with HTTP 400.
 */
export class SimInputError extends PlenumError {
  override readonly name = 'SimInputError';
  constructor(message: string) {
    super('query', message);
  }
}

/** A fault, job or point id that does not exist (HTTP 404). */
export class SimNotFoundError extends PlenumError {
  override readonly name = 'SimNotFoundError';
  constructor(message: string) {
    super('query', message);
  }
}

/** The site given to the model cannot be simulated (no CRAH, duplicate rack ids, …). */
export class SimConfigError extends PlenumError {
  override readonly name = 'SimConfigError';
  constructor(message: string) {
    super('config', message);
  }
}
