import { rsyncPush } from '../../commands/rsync.js';
import { makeDirs, writeSecretFileFromStdin } from '../../commands/release-files.js';
import type { OpsConfig } from '../../config/load-config.js';
import { renderDotenv } from '../../core/dotenv.js';
import { withHeartbeat } from '../heartbeat.js';
import { runCommand } from '../process/run-command.js';
import { runOnHost } from './run-on-host.js';
import { releaseDir, stageTarget } from './stage-target.js';

/**
 * rsync the exported release into <root>/releases/<sha> on the stage's host (never .git, never the
 * configured excludes), then write the stage's .env there with mode 0600. The .env is rendered on
 * the worker from the config's secrets and sent through ssh's stdin: not in argv, not in history.
 */
export async function syncRelease(config: OpsConfig, input: { app: string; stage: string; sha: string; localDir: string }): Promise<{ releaseDir: string }> {
  const target = stageTarget(config, input.app, input.stage);
  const dir = releaseDir(target, input.sha);
  await withHeartbeat(async ({ cancelSignal }) => {
    await runOnHost(config, target, makeDirs(`${target.root}/releases`), { cancelSignal });
    const push = rsyncPush({
      sourceDir: input.localDir,
      dest: { kind: 'ssh', ...target.host, path: target.root },
      subPath: `releases/${input.sha}`,
      ssh: config.ssh,
      exclude: ['.git', '.env', ...target.app.exclude],
      mirror: true,
    });
    await runCommand(push, { cancelSignal });
  });
  const secrets = Object.values(target.stage.secrets);
  const dotenv = renderDotenv({ ...target.stage.env, ...Object.fromEntries(Object.entries(target.stage.secrets).map(([k, v]) => [k, v.reveal()])) });
  await runOnHost(config, target, writeSecretFileFromStdin(`${dir}/.env`), { input: dotenv, secrets });
  return { releaseDir: dir };
}
