import type { OpsConfig } from '../../config/load-config.js';
import { OpsError } from '../../core/errors.js';
import { firstFailing, healthProblem, notHealthyMessage, notStableMessage } from '../../core/health-check.js';
import { withHeartbeat } from '../heartbeat.js';
import { stageTarget } from './stage-target.js';

/** The health gate was not passed within its timeout, or the app stopped answering during the stability period. */
export class HealthGateFailed extends OpsError {
  readonly retryable = false;
}

export interface HealthResult {
  urls: string[];
  healthyAfterSeconds: number;
  /** Rounds of checks, each of every URL. */
  checks: number;
}

/**
 * Polls the host's health URLs (the stage's, unless its host entry has its own) from the orchestrator until every one answers with the expected
 * status (and body match) in the same round, then keeps checking all of them for the stability
 * period: a container that comes up and falls over a few seconds later does not pass.
 */
export async function checkHealth(config: OpsConfig, input: { app: string; stage: string; host?: string }): Promise<HealthResult> {
  const { health } = stageTarget(config, input.app, input.stage, input.host);
  const { url: urls, timeoutSeconds, intervalSeconds, stableSeconds } = health;
  return withHeartbeat(async ({ cancelSignal, progress }) => {
    const started = Date.now();
    let checks = 0;
    const probe = async (url: string): Promise<string | undefined> => {
      try {
        const response = await fetch(url, { signal: AbortSignal.any([cancelSignal, AbortSignal.timeout(Math.max(1000, intervalSeconds * 1000))]) });
        return healthProblem({ status: response.status, body: await response.text() }, health);
      } catch (err) {
        if (cancelSignal.aborted) throw err;
        return (err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message;
      }
    };
    const round = async () => {
      checks++;
      return firstFailing(await Promise.all(urls.map(async (url) => ({ url, problem: await probe(url) }))));
    };
    const sleep = () => new Promise((resolve) => setTimeout(resolve, intervalSeconds * 1000));
    for (let failing = await round(); failing; failing = await round()) {
      progress({ checks, last: `${failing.url}: ${failing.problem}` });
      if (Date.now() - started > timeoutSeconds * 1000) throw new HealthGateFailed(notHealthyMessage(failing, timeoutSeconds));
      await sleep();
    }
    const healthyAfterSeconds = (Date.now() - started) / 1000;
    const stableUntil = Date.now() + stableSeconds * 1000;
    while (Date.now() < stableUntil) {
      await sleep();
      const failing = await round();
      if (failing) throw new HealthGateFailed(notStableMessage(failing, stableSeconds));
    }
    return { urls, healthyAfterSeconds, checks };
  });
}
