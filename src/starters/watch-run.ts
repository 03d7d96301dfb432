import type { WorkflowHandle } from '@temporalio/client';
import { WorkflowFailedError } from '@temporalio/client';
import { formatWaitLine } from '../core/wait-line.js';
import type { ConnectionSettings } from '../temporal/connection-settings.js';
import { innermostMessage, progressQuery, type StepProgress } from '../workflows/progress.js';
import { RunFailed } from './exit-codes.js';
import { missingWorkerNote } from './missing-worker-note.js';
import { isConnectionLoss, reconnectLimitFrom, TemporalLink } from './temporal-link.js';

export interface WatchOptions<T = unknown> {
  /** Further workflows whose steps to show while the main one runs (e.g. per-target children). */
  related?: (steps: StepProgress[]) => Array<{ label: string; handle: WorkflowHandle }>;
  write?: (line: string) => void;
  intervalMs?: number;
  /** For the Web UI link when Temporal stays unreachable. */
  settings?: Pick<ConnectionSettings, 'uiUrl' | 'namespace'>;
  /** How long Temporal may stay unreachable before the outcome is given up as unknown (default OPS_WAIT_RECONNECT_SECONDS, 5 minutes). */
  reconnectLimitMs?: number;
  /**
   * The run's last steps when its result carries them: then they are shown without a query after
   * the run's end, which a worker answers only by replaying the closed run's whole history.
   */
  finalSteps?: (result: T) => StepProgress[] | undefined;
  /** How long without a step change before asking whether a worker takes the run's tasks (default 10 s). */
  workerNoteAfterMs?: number;
}

const WORKER_NOTE_AFTER_MS = 10_000;

type Outcome<T> = { value: T } | { error: unknown };

/** A progress query gets this long: without a deadline the SDK's own retries hide a lost server for half a minute. */
const QUERY_DEADLINE_MS = 5_000;
/**
 * The SDK retries a failed call from a timer (about 20 s in all) and throws "Channel has been shut
 * down" from it if the connection was closed meanwhile: after giving up, the result's call gets
 * this long to end before the verb closes the connection.
 */
const RETRY_BUDGET_MS = 25_000;

/**
 * Streams step changes of a run (and of its related runs) until it ends. A failed run becomes
 * RunFailed with the innermost cause, which is what names the target and what went wrong. A lost
 * connection to Temporal (a server restart) is ridden out: the wait reconnects and goes on with the
 * same run, so the exit code is the run's real outcome; only past the limit does it give up with
 * TemporalUnreachable.
 */
export async function watchRun<T>(handle: WorkflowHandle, options: WatchOptions<T> = {}): Promise<T> {
  const write = options.write ?? ((line: string) => console.log(line));
  const link = new TemporalLink(handle, { write, limitMs: options.reconnectLimitMs ?? reconnectLimitFrom(process.env), ...(options.settings ? { settings: options.settings } : {}) });
  const show = await stepPrinter(handle);

  const query = async (target: WorkflowHandle): Promise<StepProgress[] | undefined> => {
    if (link.recovering) return undefined;
    try {
      return await target.client.connection.withDeadline(Date.now() + QUERY_DEADLINE_MS, () => target.query(progressQuery));
    } catch (err) {
      // Progress is best effort (a child not started yet, a busy worker); a lost connection is recovered by the result's loop too.
      if (isConnectionLoss(err)) void link.recover().catch(() => undefined);
      return undefined;
    }
  };
  // A run that shows nothing new for a while may be waiting for a worker nobody started: said once.
  let lastChange = Date.now();
  let workerNoted = false;
  const poll = async () => {
    // With no worker at all, nothing answers the query either: the note below is asked all the same.
    const steps = await query(handle);
    if (steps) {
      const changes = show('', steps);
      for (const { label, handle: child } of options.related?.(steps) ?? []) {
        const childSteps = await query(child);
        if (childSteps) changes.push(...show(`${label} › `, childSteps));
      }
      writeInOrder(changes, write);
      if (changes.length > 0) lastChange = Date.now();
    }
    if (!workerNoted && Date.now() - lastChange >= (options.workerNoteAfterMs ?? WORKER_NOTE_AFTER_MS)) {
      const note = await missingWorkerNote(handle).catch(() => undefined);
      if (note) write(`  ${note}`);
      // Said once; a run merely busy (a long dump) is asked again after as long again.
      workerNoted = note !== undefined;
      lastChange = Date.now();
    }
  };

  let outcome: Outcome<T> | undefined;
  const settled = (async (): Promise<void> => {
    for (;;) {
      try {
        outcome = { value: (await handle.result()) as T };
        return;
      } catch (err) {
        if (!isConnectionLoss(err)) {
          outcome = { error: err };
          return;
        }
        try {
          await link.recover();
        } catch (unreachable) {
          outcome = { error: unreachable };
          return;
        }
      }
    }
  })();
  const gaveUp = new Promise<void>((resolve) => link.gaveUp.addEventListener('abort', () => resolve(), { once: true }));
  while (!outcome && !link.gaveUp.aborted) {
    await poll();
    // The pause ends with the run, and its timer with it: a timer left pending would keep the CLI's process alive up to a poll interval after the result.
    let pause: NodeJS.Timeout | undefined;
    await Promise.race([settled, gaveUp, new Promise((r) => (pause = setTimeout(r, options.intervalMs ?? 1000)))]);
    clearTimeout(pause);
  }
  if (!outcome) {
    await Promise.race([settled, new Promise((r) => setTimeout(r, RETRY_BUDGET_MS).unref())]);
    throw link.gaveUp.reason;
  }
  const finalSteps = 'value' in outcome && !options.related ? options.finalSteps?.(outcome.value) : undefined;
  if (finalSteps) writeInOrder(show('', finalSteps), write);
  else if (!link.gaveUp.aborted) await poll();
  if ('error' in outcome) {
    if (outcome.error instanceof WorkflowFailedError) throw new RunFailed(innermostMessage(outcome.error));
    throw outcome.error;
  }
  return outcome.value;
}

/** A step change to print, and when it happened (ms since the epoch). */
interface StepChange {
  moment: number;
  line: string;
}

/**
 * One poll's changes, oldest first. The run's own steps are queried before its children's, so
 * printed as they came, a target's `done` would precede the last steps of the child run that did
 * the work; ordered by when each happened, they read as they ran. (A stable sort: changes at the
 * same moment keep the order they were queried in.)
 */
function writeInOrder(changes: StepChange[], write: (line: string) => void): void {
  for (const { line } of [...changes].sort((a, b) => a.moment - b.moment)) write(line);
}

/**
 * Turns each step change, once, into a line in aligned columns, with the time since the run
 * started. Step times come from the workflow (the server's clock), so the run's start is taken
 * from the server too; a step without one (skipped) is placed by the local clock from that start.
 */
async function stepPrinter(handle: WorkflowHandle): Promise<(label: string, steps: StepProgress[]) => StepChange[]> {
  const localAtStart = Date.now();
  const runStart = await handle.describe().then((d) => d.startTime.getTime(), () => localAtStart);
  const seen = new Map<string, string>();
  return (label, steps) => {
    const changes: StepChange[] = [];
    for (const step of steps) {
      const ended = step.status === 'done' || step.status === 'failed';
      const durationSeconds = ended && step.startedAt && step.finishedAt ? (Date.parse(step.finishedAt) - Date.parse(step.startedAt)) / 1000 : undefined;
      const key = `${label}${step.step}`;
      const state = `${step.status}|${durationSeconds}|${step.detail ?? ''}`;
      if (seen.get(key) === state) continue;
      seen.set(key, state);
      const at = (ended ? step.finishedAt : step.startedAt) ?? undefined;
      const moment = at ? Date.parse(at) : runStart + (Date.now() - localAtStart);
      changes.push({
        moment,
        line: formatWaitLine({
          elapsedSeconds: (moment - runStart) / 1000,
          label,
          step: step.step,
          status: step.status,
          ...(durationSeconds !== undefined ? { durationSeconds: Math.max(0, durationSeconds) } : {}),
          ...(step.detail ? { detail: step.detail } : {}),
        }),
      });
    }
    return changes;
  };
}
