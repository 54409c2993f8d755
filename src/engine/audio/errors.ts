import { FileError } from '../util/errors';

/**
 * An audio file that cannot be read: missing, empty, truncated, not audio, or an encoding
 * this workbench does not decode. A user error (CLI exit code 1) naming the file and the problem.
 */
export class AudioDecodeError extends FileError {
  constructor(file: string, problem: string) {
    super(file, problem);
    this.name = 'AudioDecodeError';
  }
}
