import { DefaultLogger, Runtime, type LogLevel, type LogMetadata } from '@temporalio/worker';
import { isRoleSplitNotice } from '../core/role-split-notices.js';

let installed = false;

/**
 * The SDK logs every worker state change at INFO; ops prints its own one-line status instead.
 * OPS_LOG_LEVEL=INFO (or DEBUG) brings the SDK's logs back. Must run before the first NativeConnection.
 * The runtime installs no signal handlers: its own listened from the moment the runtime existed but
 * only stopped workers already running, so a worker stuck in start-up ignored SIGTERM. ops' stop
 * handler (stop-signals.ts) owns SIGINT and SIGTERM instead.
 */
export function installQuietRuntime(level = (process.env.OPS_LOG_LEVEL as LogLevel | undefined) ?? 'WARN'): void {
  if (installed) return;
  installed = true;
  Runtime.install({ logger: new RoleSplitLogger(level), shutdownSignals: [] });
}

/** The SDK's own logger, without the warnings every role-split worker start would print (isRoleSplitNotice). */
class RoleSplitLogger extends DefaultLogger {
  override log(level: LogLevel, message: string, meta?: LogMetadata): void {
    if (isRoleSplitNotice(message)) return;
    super.log(level, message, meta);
  }
}
