import type { WorkflowHandle } from '@temporalio/client';
import { configSecrets } from '../config/config-secrets.js';
import type { OpsConfig } from '../config/load-config.js';
import { redact } from '../config/secret.js';
import { progressQuery } from '../workflows/progress.js';
import { RunFailed, StageBroken, UsageError } from './exit-codes.js';
import { runFailureOf } from './run-failure.js';

interface StageFailureDetails {
  outcome?: string;
  report?: string;
  stage?: string;
  smokeTail?: string;
}

/**
 * The error a failed deploy or rollback ends the CLI with, after printing what to read next: the
 * report path and the smoke output tail (scrubbed of the config's secrets once more: the CLI prints
 * it where CI keeps logs). A stage left on no healthy release exits 5; a refusal that changed
 * nothing (a SHA that did not pass the stages before, a rollback target not found) exits 2.
 */
export async function explainFailure(err: unknown, handle: WorkflowHandle, config: OpsConfig, write: (line: string) => void = console.log): Promise<unknown> {
  if (!(err instanceof RunFailed)) return err;
  const failure = await runFailureOf(handle).catch(() => undefined);
  if (!failure) return err;
  const details = (failure.details[0] ?? {}) as StageFailureDetails;
  if (details.report) write(`report: ${details.report}`);
  if (details.smokeTail) {
    write(`smoke output on ${details.stage ?? 'the stage'} (last lines):`);
    for (const line of redact(details.smokeTail, configSecrets(config)).split('\n')) write(`  | ${line}`);
  }
  if (failure.innermostType === 'NotPromoted' || details.outcome === 'refused') return new UsageError(err.message);
  if (details.outcome === 'rollback-failed') return new StageBroken(`${err.message} (stage left broken: needs a human)`);
  return err;
}

const SETTLED = new Set(['done', 'skipped', 'failed']);

/**
 * Without --wait, a deploy that skips earlier stages is not left to fail unseen: the CLI waits
 * for the run's promotion check (seconds: a plan, a resolve, one log read per skipped stage) and
 * exits 2 if the SHA did not pass them. A run the check cannot be seen for is left running.
 */
export async function awaitPromotionCheck(handle: WorkflowHandle, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const steps = await handle.query(progressQuery).catch(() => undefined);
    const promotion = steps?.find((s) => s.step === 'promotion');
    const earlierFailed = steps?.some((s) => (s.step === 'plan' || s.step === 'resolve') && s.status === 'failed');
    if (promotion?.status === 'failed' || earlierFailed) {
      const failure = await runFailureOf(handle).catch(() => undefined);
      const message = promotion?.detail ?? steps?.find((s) => s.status === 'failed')?.detail ?? 'the deploy failed before any stage';
      if (failure?.innermostType === 'NotPromoted') throw new UsageError(message);
      throw new RunFailed(message);
    }
    if (promotion && SETTLED.has(promotion.status)) return;
    const { status } = await handle.describe();
    if (status.name === 'FAILED') {
      // It ended between two looks (or its progress could not be read): a refusal is still a refusal.
      const failure = await runFailureOf(handle).catch(() => undefined);
      if (failure?.innermostType === 'NotPromoted') throw new UsageError(failure.innermostMessage ?? 'the promotion check refused the SHA');
      throw new RunFailed(failure?.innermostMessage ?? 'the deploy failed');
    }
    if (status.name !== 'RUNNING') return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

