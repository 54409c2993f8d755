/**
 * Errors the user caused (bad file, bad config, bad usage). The CLI maps these to exit code 1
 * and prints only the message; anything else is an internal error (exit code 2, with a stack).
 */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}

/** A file that could not be used, always naming it. */
export class FileError extends UserError {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
    this.name = 'FileError';
  }
}

/**
 * A parameter value a function cannot work with (like librosa's ParameterError): the message
 * names the parameter and the value, e.g. `frontEnd.patchHopSec 0.485 is not a whole number of
 * 0.01 s frames`. A user error: the value came from a config, a flag or a form.
 */
export class ParameterError extends UserError {
  constructor(
    readonly parameter: string,
    readonly value: unknown,
    readonly problem: string,
  ) {
    super(`${parameter} ${JSON.stringify(value)} ${problem}`);
    this.name = 'ParameterError';
  }
}

/** Work stopped because it was asked to (a signal, `run --cancel`, tasks.cancel); not a failure. */
export class CancelledError extends Error {
  constructor() {
    super('cancelled');
    this.name = 'CancelledError';
  }
}
