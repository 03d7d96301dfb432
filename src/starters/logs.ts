import type { Command as Program } from 'commander';
import type { Readable, Writable } from 'node:stream';
import { runOnHost } from '../activities/deploy/run-on-host.js';
import { startChild } from '../activities/process/start-child.js';
import { currentLink, stageTarget, type StageTarget } from '../activities/deploy/stage-target.js';
import type { OpsConfig } from '../config/load-config.js';
import { findStage, findStageHost, stageHosts } from '../config/lookups.js';
import { composeLogs } from '../commands/compose.js';
import { sshCommand } from '../commands/ssh.js';
import { configSecrets } from '../config/config-secrets.js';
import { UnavailableSecret } from '../config/secret.js';
import { parseDotenv } from '../core/dotenv.js';
import { describeError } from '../core/errors.js';
import { lineScrubber } from '../core/log-scrub.js';
import { loadCliConfig, type GlobalOptions } from './cli-context.js';
import { RunFailed, UsageError } from './exit-codes.js';

interface LogsOptions {
  stage: string;
  host?: string;
  service?: string;
  follow?: boolean;
  since?: string;
}

/** What compose's --since takes: a duration such as 10m or 2h30m, or a date or timestamp. */
const SINCE = /^(\d+[smhd])+$|^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$/;

/**
 * `ops logs APP --stage S`: the running release's `docker compose logs`, over ssh, with every
 * value of the stage's secrets (as the host's .env holds them) replaced by [redacted].
 * Unlike the other verbs it runs ssh itself: the output is a live stream for a person (or
 * `--follow`), which has no place in a workflow's history.
 */
export function registerLogs(program: Program): void {
  program
    .command('logs')
    .description('the running release\'s compose logs on a stage, over ssh, secrets scrubbed')
    .argument('<app>', 'an app from the config')
    .requiredOption('-s, --stage <stage>', 'the stage whose host to read')
    .option('--host <name>', 'one host of a stage of several (default: each in turn, under a ==> host <== line)')
    .option('--service <name>', 'one compose service (default: all)')
    .option('-f, --follow', 'keep printing new lines until interrupted')
    .option('--since <when>', 'only lines since a duration ago (10m, 2h) or a timestamp')
    .action(async (app: string, options: LogsOptions) => {
      if (options.since !== undefined && !SINCE.test(options.since)) throw new UsageError(`--since must be a duration such as 10m or 2h, or a timestamp, got "${options.since}"`);
      const config = loadCliConfig(program.opts<GlobalOptions>());
      const stage = findStage(config, app, options.stage);
      const hosts = options.host ? [findStageHost(config, app, options.stage, options.host).host] : stageHosts(stage).map((h) => h.host);
      if (hosts.length > 1 && options.follow) throw new UsageError(`--follow reads one host: stage "${options.stage}" of app "${app}" has ${hosts.length} (${hosts.join(', ')}); pick one with --host`);
      for (const host of hosts) {
        if (hosts.length > 1) process.stdout.write(`==> ${host} <==\n`);
        await printLogs(config, stageTarget(config, app, options.stage, host), options);
      }
    });
}

/** One host's logs of the running release, scrubbed of the secrets its .env holds and of the config's. */
async function printLogs(config: OpsConfig, target: StageTarget, options: LogsOptions): Promise<void> {
  const app = target.app.name;
  const current = currentLink(target);

  // The .env as the release got it: its secret values are what the logs must not show, and this CLI may not be able to read the secrets itself.
  let dotenv: Record<string, string>;
  try {
    dotenv = parseDotenv(await runOnHost(config, target, ['cat', `${current}/.env`], { what: 'reading the release .env' }));
  } catch (err) {
    throw new RunFailed(`${app} on ${options.stage}: no running release to read logs of (${current}/.env on ${target.hostName}: ${describeError(err)})`);
  }
  const secrets = [
    ...Object.keys(target.stage.secrets).flatMap((key) => (dotenv[key] !== undefined ? [dotenv[key]] : [])),
    ...configSecrets(config).flatMap((s) => (s instanceof UnavailableSecret ? [] : [s.reveal()])),
  ];
  const logs = sshCommand(config.ssh, target.host, composeLogs({ dir: current, files: target.app.compose.files, project: target.project }, options));
  // Through the pdeathsig wrapper: a CLI killed outright must not leave `ssh … logs --follow` running.
  const child = startChild(logs, { stdin: 'ignore', stdout: 'pipe', stderr: 'pipe', buffer: false, reject: false });
  await Promise.all([scrubInto(child.stdout!, process.stdout, secrets), scrubInto(child.stderr!, process.stderr, secrets)]);
  const { exitCode } = await child;
  if (exitCode !== 0) throw new RunFailed(`docker compose logs on ${target.hostName} failed (exit ${exitCode})`);
}

async function scrubInto(from: Readable, to: Writable, secrets: string[]): Promise<void> {
  const scrubber = lineScrubber(secrets);
  // Decoded as a stream: a character split between two reads stays whole.
  from.setEncoding('utf8');
  for await (const chunk of from) {
    const text = scrubber.push(chunk as string);
    if (text) to.write(text);
  }
  const rest = scrubber.end();
  if (rest) to.write(rest);
}
