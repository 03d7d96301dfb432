import { OpsError } from '../core/errors.js';

/** A port ops must listen on is taken by another process: the input's fault, fixed by choosing another. */
export class PortInUse extends OpsError {
  readonly retryable = false;
  constructor(readonly setting: string, readonly port: number, howToChange: string) {
    super(`${setting} ${port} is in use (${howToChange})`);
  }
}
