import { defineQuery, setHandler } from '@temporalio/workflow';

export type StepStatus = 'pending' | 'running' | 'done' | 'failed' | 'skipped';

export interface StepProgress {
  step: string;
  status: StepStatus;
  startedAt?: string;
  finishedAt?: string;
  detail?: string;
  /** A step that is a child workflow: its run, so a watcher shows that run's steps and never another run's of the same id. */
  runId?: string;
}

/** Every ops workflow answers `progress` with its steps, status and timings; the CLI's --wait polls it. */
export const progressQuery = defineQuery<StepProgress[]>('progress');

/** Tracks named steps of a workflow and answers the progress query from them. */
export function trackProgress(stepNames: string[]) {
  const steps: StepProgress[] = stepNames.map((step) => ({ step, status: 'pending' }));
  setHandler(progressQuery, () => steps);
  const find = (name: string, above?: string): StepProgress => {
    let found = steps.find((s) => s.step === name);
    if (!found) {
      found = { step: name, status: 'pending' };
      const at = above === undefined ? -1 : steps.findIndex((s) => s.step === above);
      if (at === -1) steps.push(found);
      else steps.splice(at, 0, found);
    }
    return found;
  };
  const mark = (step: StepProgress, status: StepStatus, detail?: string): void => {
    // Marking a running step running again (to add its child's run id) keeps its clock.
    if (status === 'running' && step.status !== 'running') {
      step.startedAt = new Date().toISOString();
      delete step.finishedAt;
    }
    step.status = status;
    // A step skipped after it started (a target whose child was refused) still says how long that took.
    if (status === 'done' || status === 'failed' || (status === 'skipped' && step.startedAt)) step.finishedAt = new Date().toISOString();
    if (detail !== undefined) step.detail = detail;
  };
  return {
    /**
     * Runs a step's body. `failure` judges a body that returned rather than threw (a smoke test
     * that exited non-zero, a restore whose checks failed): a message makes the step failed with
     * it, so the step never reads done before its real outcome is known.
     */
    async run<T>(name: string, body: () => Promise<T>, failure?: (result: T) => string | undefined): Promise<T> {
      const step = find(name);
      step.status = 'running';
      step.startedAt = new Date().toISOString();
      try {
        const result = await body();
        const failed = failure?.(result);
        step.status = failed === undefined ? 'done' : 'failed';
        if (failed !== undefined) step.detail = failed;
        return result;
      } catch (err) {
        step.status = 'failed';
        step.detail = innermostMessage(err);
        throw err;
      } finally {
        step.finishedAt = new Date().toISOString();
      }
    },
    /** After a failure: the steps that never started read skipped, with why, not pending for ever; `except` still run (a report). */
    skipPending(detail: string, except: string[] = []): void {
      for (const step of steps) if (step.status === 'pending' && !except.includes(step.step)) mark(step, 'skipped', detail);
    },
    snapshot(): StepProgress[] {
      return steps.map((s) => ({ ...s }));
    },
    /** For steps that are waits, not activities (an approval gate): running starts the clock, done or failed stops it. */
    mark(name: string, status: StepStatus, detail?: string): void {
      mark(find(name), status, detail);
    },
    /**
     * A step of a group (one target of the chain's `targets`): listed just above the group's own
     * line, so the group's outcome, which sums up its steps, always reads after them.
     */
    markWithin(group: string, name: string, status: StepStatus, detail?: string, runId?: string): void {
      const step = find(name, group);
      mark(step, status, detail);
      if (runId !== undefined) step.runId = runId;
    },
  };
}

/** The message of the deepest cause: an ActivityFailure wraps the ApplicationFailure that names what went wrong. */
export function innermostMessage(err: unknown): string {
  let current: unknown = err;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  return current instanceof Error ? current.message : String(err);
}
