import type { WorkflowHandle } from '@temporalio/client';
import { WorkflowFailedError } from '@temporalio/client';
import { innermostMessage, progressQuery, type StepProgress } from '../workflows/progress.js';
import { RunFailed } from './exit-codes.js';

export interface WatchOptions {
  /** Further workflows whose steps to show while the main one runs (e.g. per-target children). */
  related?: (steps: StepProgress[]) => Array<{ label: string; handle: WorkflowHandle }>;
  write?: (line: string) => void;
  intervalMs?: number;
}

/**
 * Streams step changes of a run (and of its related runs) until it ends. A failed run becomes
 * RunFailed with the innermost cause, which is what names the target and what went wrong.
 */
export async function watchRun<T>(handle: WorkflowHandle, options: WatchOptions = {}): Promise<T> {
  const write = options.write ?? ((line: string) => console.log(line));
  const seen = new Map<string, string>();
  const show = (label: string, steps: StepProgress[]) => {
    for (const step of steps) {
      const key = `${label}${step.step}`;
      const line = `${step.status}${step.detail ? `: ${step.detail}` : ''}`;
      if (seen.get(key) === line) continue;
      seen.set(key, line);
      write(`  ${label}${step.step.padEnd(18)} ${line}`);
    }
  };
  const poll = async () => {
    const steps = await handle.query(progressQuery).catch(() => undefined);
    if (!steps) return;
    show('', steps);
    for (const { label, handle: child } of options.related?.(steps) ?? []) {
      const childSteps = await child.query(progressQuery).catch(() => undefined);
      if (childSteps) show(`${label} › `, childSteps);
    }
  };
  const result = handle.result() as Promise<T>;
  let done = false;
  void result.finally(() => (done = true)).catch(() => undefined);
  while (!done) {
    await poll();
    await Promise.race([result.catch(() => undefined), new Promise((r) => setTimeout(r, options.intervalMs ?? 1000))]);
  }
  await poll();
  try {
    return await result;
  } catch (err) {
    if (err instanceof WorkflowFailedError) throw new RunFailed(innermostMessage(err));
    throw err;
  }
}
