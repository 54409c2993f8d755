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
