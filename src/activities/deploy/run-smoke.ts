import { configSecrets } from '../../config/config-secrets.js';
import type { OpsConfig } from '../../config/load-config.js';
import { redact } from '../../config/secret.js';
import type { SmokeLevel } from '../../contracts/deploy.js';
import { withHeartbeat } from '../heartbeat.js';
import { startChild } from '../process/start-child.js';
import { prepareRelease } from './prepare-release.js';
import { stageTarget } from './stage-target.js';


export interface SmokeResult {
  level: SmokeLevel;
  status: 'passed' | 'failed' | 'skipped';
  exitCode?: number;
  outputTail: string;
  durationSeconds: number;
}

/**
 * Runs the app's E2E command for the level on the orchestrator, in the exported release, with the
 * stage's base URL as BASE_URL. The exit code decides; the output tail goes into the report.
 *
 * The suite gets only PATH, HOME and what is set here, never the worker's environment, which holds
 * the values the config's secrets come from; and its output tail is scrubbed of every config secret,
 * since a failing test may print what the app answered.
 */
export async function runSmoke(config: OpsConfig, input: { app: string; stage: string; sha: string; level: SmokeLevel }): Promise<SmokeResult> {
  const { app, stage } = stageTarget(config, input.app, input.stage);
  const argv = app.smoke[input.level] ?? (input.level === 'standard' ? app.smoke.smoke : undefined);
  if (!argv) return { level: input.level, status: 'skipped', outputTail: `no smoke.${input.level} command configured`, durationSeconds: 0 };
  // The suite runs in the release's export, found by app + SHA and exported again when this worker has none.
  const { dir: exported } = await prepareRelease(config, input);
  const started = Date.now();
  const result = await withHeartbeat(({ cancelSignal }) =>
    startChild({ file: argv[0]!, args: argv.slice(1) }, {
      cwd: exported,
      env: smokeEnv({ BASE_URL: stage.baseUrl, OPS_STAGE: stage.name, OPS_APP: app.name }),
      extendEnv: false,
      all: true,
      reject: false,
      stdin: 'ignore',
      cancelSignal,
      timeout: app.smoke.timeoutMinutes * 60_000,
    }),
  );
  const outputTail = redact(String(result.all ?? ''), configSecrets(config)).split('\n').slice(-30).join('\n');
  return {
    level: input.level,
    status: result.exitCode === 0 ? 'passed' : 'failed',
    ...(result.exitCode !== undefined ? { exitCode: result.exitCode } : {}),
    outputTail: result.timedOut ? `${outputTail}\n(timed out after ${app.smoke.timeoutMinutes} min)` : outputTail,
    durationSeconds: (Date.now() - started) / 1000,
  };
}

/** Where to find programs and the user's dotfiles: all a test runner needs of the worker's environment. */
function smokeEnv(own: Record<string, string>): Record<string, string> {
  const inherited = Object.fromEntries(['PATH', 'HOME'].flatMap((key) => (process.env[key] !== undefined ? [[key, process.env[key]!]] : [])));
  return { ...inherited, ...own };
}
