import { defineQuery, setHandler } from '@temporalio/workflow';

export type StepStatus = 'pending' | 'running' | 'done' | 'failed' | 'skipped';

export interface StepProgress {
  step: string;
  status: StepStatus;
  startedAt?: string;
  finishedAt?: string;
  detail?: string;
}

/** Every ops workflow answers `progress` with its steps, status and timings; the CLI's --wait polls it. */
export const progressQuery = defineQuery<StepProgress[]>('progress');

/** Tracks named steps of a workflow and answers the progress query from them. */
export function trackProgress(stepNames: string[]) {
  const steps: StepProgress[] = stepNames.map((step) => ({ step, status: 'pending' }));
  setHandler(progressQuery, () => steps);
  const find = (name: string): StepProgress => {
    let found = steps.find((s) => s.step === name);
    if (!found) {
      found = { step: name, status: 'pending' };
      steps.push(found);
    }
    return found;
  };
  return {
    async run<T>(name: string, body: () => Promise<T>): Promise<T> {
      const step = find(name);
      step.status = 'running';
      step.startedAt = new Date().toISOString();
      try {
        const result = await body();
        step.status = 'done';
        return result;
      } catch (err) {
        step.status = 'failed';
        step.detail = innermostMessage(err);
        throw err;
      } finally {
        step.finishedAt = new Date().toISOString();
      }
    },
    snapshot(): StepProgress[] {
      return steps.map((s) => ({ ...s }));
    },
    /** For steps that are waits, not activities (an approval gate): running starts the clock, done or failed stops it. */
    mark(name: string, status: StepStatus, detail?: string): void {
      const step = find(name);
      step.status = status;
      if (status === 'running') {
        step.startedAt = new Date().toISOString();
        delete step.finishedAt;
      }
      if (status === 'done' || status === 'failed') step.finishedAt = new Date().toISOString();
      if (detail !== undefined) step.detail = detail;
    },
  };
}

/** The message of the deepest cause: an ActivityFailure wraps the ApplicationFailure that names what went wrong. */
export function innermostMessage(err: unknown): string {
  let current: unknown = err;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  return current instanceof Error ? current.message : String(err);
}
