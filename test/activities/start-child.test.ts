import { randomInt } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { runCommand } from '../../src/activities/process/run-command.js';
import { runPipeline } from '../../src/activities/process/run-pipeline.js';
import { streamCommandsToFile } from '../../src/activities/process/stream-to-file.js';
import type { Command } from '../../src/commands/command.js';
import { CommandFailed } from '../../src/core/errors.js';
import { processesRunning } from '../support/processes.js';
import { waitFor } from '../support/wait-for.js';

const SRC = new URL('../../src/activities/process/', import.meta.url).pathname;

/** `sleep` for an hour and a few unique fractions of a second: the duration marks the process as this test's. */
const uniqueSleep = (): Command => ({ file: 'sleep', args: [`3600.${randomInt(1e8, 1e9)}`] });

/** Every child an activity starts goes through startChild: it must die with the worker, and fail as before. */
describe('children started for activities', () => {
  const dir = mkdtempSync(join(tmpdir(), 'start-child-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let n = 0;

  it('die with the process that started them, killed with SIGKILL: a command and every stage of a pipeline', async () => {
    const [single, first, last] = [uniqueSleep(), uniqueSleep(), uniqueSleep()];
    // A stand-in worker: a Node process that starts the children the way activities do, then waits on them.
    const parent = execa(
      'node',
      [
        '--import', 'tsx', '--input-type=module', '-e',
        `const { runCommand } = await import(${JSON.stringify(`${SRC}run-command.ts`)});
         const { runPipeline } = await import(${JSON.stringify(`${SRC}run-pipeline.ts`)});
         await Promise.all([runCommand(${JSON.stringify(single)}), runPipeline(${JSON.stringify([first, last])})]);`,
      ],
      { reject: false, cleanup: false, buffer: false },
    );
    const exited = once(parent, 'exit');
    onTestFinished(() => void parent.kill('SIGKILL'));
    const markers = [single, first, last].map((command) => command.args[0]!);
    const running = async () => (await Promise.all(markers.map((marker) => processesRunning('sleep', marker)))).flat();
    onTestFinished(async () => (await running()).forEach((orphan) => process.kill(orphan.pid, 'SIGKILL')));
    await waitFor('the three sleeps to start', async () => (await running()).length === 3, 30_000);
    // setpriv execs the tool in its own place: the worker is the tool's parent, nothing sits in between.
    expect((await running()).map((p) => p.ppid)).toEqual([parent.pid, parent.pid, parent.pid]);

    parent.kill('SIGKILL');
    await exited;

    await waitFor('no sleep left', async () => (await running()).length === 0, 5_000);
  }, 60_000);

  it.each<[string, (command: Command) => Promise<unknown>]>([
    ['runCommand', (command) => runCommand(command)],
    ['runPipeline', (command) => runPipeline([command, { file: 'cat', args: [] }])],
    ['streamCommandsToFile', (command) => streamCommandsToFile([command], join(dir, `out-${++n}`))],
  ])('%s names the tool, never setpriv, when it is missing or fails without a word on stderr', async (_, run) => {
    const failure = async (command: Command) => (await run(command).then(() => undefined, (err: unknown) => err)) as CommandFailed;

    const missing = await failure({ file: 'no-such-tool-ops', args: ['--flag'] });
    expect(missing).toBeInstanceOf(CommandFailed);
    expect(missing.message).toBe('no-such-tool-ops failed (exit signal): Command failed with ENOENT: no-such-tool-ops --flag | spawn no-such-tool-ops ENOENT');
    expect(missing.exitCode).toBeUndefined();

    const missingScript = await failure({ file: './no-such-script.sh', args: [] });
    expect(missingScript.message).toBe('./no-such-script.sh failed (exit signal): Command failed with ENOENT: ./no-such-script.sh | spawn ./no-such-script.sh ENOENT');

    const silent = await failure({ file: 'sh', args: ['-c', 'exit 3'] });
    expect(silent.message).toBe("sh failed (exit 3): Command failed with exit code 3: sh -c 'exit 3'");
    expect([silent.exitCode, silent.what, silent.command]).toEqual([3, 'sh', "sh -c 'exit 3'"]);

    const noisy = await failure({ file: 'sh', args: ['-c', 'echo "tool: broken" >&2; exit 4'] });
    expect(noisy.message).toBe('sh failed (exit 4): tool: broken');
  });
});
