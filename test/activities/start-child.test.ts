import { randomInt } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
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

/** The process group a process belongs to, from /proc/PID/stat (its fifth field). */
async function processGroup(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
}

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

  it('take what they started in turn with them when the worker is killed with SIGKILL: the whole process group', async () => {
    const [first, second] = [uniqueSleep(), uniqueSleep()];
    // A tool that starts children of its own and waits on them, as pg_restore --jobs does with its workers.
    const forking: Command = { file: 'sh', args: ['-c', `${first.file} ${first.args[0]} & ${second.file} ${second.args[0]} & wait`] };
    const parent = execa('node', ['--import', 'tsx', '--input-type=module', '-e', `const { runCommand } = await import(${JSON.stringify(`${SRC}run-command.ts`)}); await runCommand(${JSON.stringify(forking)});`], {
      reject: false,
      cleanup: false,
      buffer: false,
    });
    const exited = once(parent, 'exit');
    onTestFinished(() => void parent.kill('SIGKILL'));
    const markers = [first, second].map((command) => command.args[0]!);
    const running = async () => (await Promise.all(markers.map((marker) => processesRunning('sleep', marker)))).flat();
    onTestFinished(async () => (await running()).forEach((orphan) => process.kill(orphan.pid, 'SIGKILL')));
    await waitFor('the two sleeps to start', async () => (await running()).length === 2, 30_000);
    const [tool] = await processesRunning('sh', first.args[0]!);
    expect(tool!.ppid).toBe(parent.pid);
    // The tool leads a group of its own, which its children share: neither the worker's nor the test's.
    expect(await Promise.all((await running()).map((p) => processGroup(p.pid)))).toEqual([tool!.pid, tool!.pid]);

    parent.kill('SIGKILL');
    await exited;

    await waitFor('no sleep left', async () => (await running()).length === 0, 5_000);
  }, 60_000);

  it('stop as a whole on cancel, and leave nothing behind when the tool exits: run, pipeline and stream settle at once', async () => {
    const forking = () => {
      const [child, grandchild] = [uniqueSleep(), uniqueSleep()];
      return { command: { file: 'sh', args: ['-c', `sleep ${child.args[0]} & (sleep ${grandchild.args[0]} &) ; wait`] } satisfies Command, markers: [child.args[0]!, grandchild.args[0]!] };
    };
    const running = async (markers: string[]) => (await Promise.all(markers.map((marker) => processesRunning('sleep', marker)))).flat();
    const cases = [forking(), forking(), forking()];
    onTestFinished(async () => (await running(cases.flatMap((c) => c.markers))).forEach((orphan) => process.kill(orphan.pid, 'SIGKILL')));
    const cancel = new AbortController();
    const settled = Promise.allSettled([
      runCommand(cases[0]!.command, { cancelSignal: cancel.signal }),
      runPipeline([cases[1]!.command, { file: 'cat', args: [] }], { cancelSignal: cancel.signal }),
      streamCommandsToFile([cases[2]!.command], join(dir, `out-${++n}`), { cancelSignal: cancel.signal }),
    ]);
    await waitFor('the six sleeps to start', async () => (await running(cases.flatMap((c) => c.markers))).length === 6, 30_000);

    const started = Date.now();
    cancel.abort();
    // Before, the signal reached sh alone: its sleeps kept the output pipes open, and the steps never settled.
    expect((await settled).map((result) => result.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await running(cases.flatMap((c) => c.markers))).toEqual([]);

    // A tool that exits while a child of its own still runs: the step ends with its exit, the child with it.
    const leaving = uniqueSleep();
    expect(await runCommand({ file: 'sh', args: ['-c', `sleep ${leaving.args[0]} & echo done`] })).toBe('done\n');
    expect(await running([leaving.args[0]!])).toEqual([]);
  }, 60_000);

  it('keep the tool\'s stdin, exit status and signal', async () => {
    expect(await runCommand({ file: 'cat', args: [], input: 'through stdin' })).toBe('through stdin');
    const signalled = (await runCommand({ file: 'sh', args: ['-c', 'kill -TERM $$'] }).then(() => undefined, (err: unknown) => err)) as CommandFailed;
    expect([signalled.message, signalled.exitCode]).toEqual(["sh failed (exit signal): Command was killed with SIGTERM (Termination): sh -c 'kill -TERM $$'", undefined]);
  });

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
