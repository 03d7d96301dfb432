import { OpsError } from '../core/errors.js';

/**
 * The namespace a worker would poll lacks what ops' runs need (its search attributes): set-up to
 * do once, exit 2 at the CLI. Apart from the check that raises it, which loads the SDK: the CLI's
 * exit codes import it, and `ops --help` loads no Temporal package.
 */
export class NamespaceNotSetUp extends OpsError {
  readonly retryable = false;
}
