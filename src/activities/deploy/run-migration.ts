import { runInDir } from '../../commands/release-files.js';
import type { OpsConfig } from '../../config/load-config.js';
import { CommandFailed, PreconditionFailed } from '../../core/errors.js';
import { withHeartbeat } from '../heartbeat.js';
import { runOnHost } from './run-on-host.js';
import { releaseDir, stageTarget } from './stage-target.js';

export interface MigrationResult {
  status: 'passed' | 'failed';
  exitCode?: number;
  /** The last lines the migration printed, scrubbed of every config secret; only for a failure. */
  outputTail: string;
  durationSeconds: number;
}

const TAIL_LINES = 30;

/**
 * `migrate.command` on the stage's host, in the new release dir, before the switch. Its outcome is
 * returned, never retried: a migration cut off (ssh dropped) may have half-run, and running it
 * again blindly is for a human to decide, with the pre-deploy backup at hand.
 */
export async function runMigration(config: OpsConfig, input: { app: string; stage: string; host?: string; sha: string }): Promise<MigrationResult> {
  const target = stageTarget(config, input.app, input.stage, input.host);
  const migrate = target.app.migrate;
  if (!migrate) throw new PreconditionFailed(`app "${input.app}" has no migrate: in the config`);
  const started = Date.now();
  const seconds = () => Math.round((Date.now() - started) / 100) / 10;
  try {
    await withHeartbeat(({ cancelSignal }) => runOnHost(config, target, runInDir(releaseDir(target, input.sha), migrate.command), { cancelSignal, what: 'migrate.command' }));
    return { status: 'passed', outputTail: '', durationSeconds: seconds() };
  } catch (err) {
    if (!(err instanceof CommandFailed)) throw err;
    // runOnHost scrubbed the tail of every config secret already.
    const outputTail = err.stderrTail.trimEnd().split('\n').slice(-TAIL_LINES).join('\n');
    return { status: 'failed', ...(err.exitCode !== undefined ? { exitCode: err.exitCode } : {}), outputTail, durationSeconds: seconds() };
  }
}
