import type { OpsConfig } from '../../config/load-config.js';
import { OpsError } from '../../core/errors.js';
import { withHeartbeat } from '../heartbeat.js';
import { stageTarget } from './stage-target.js';

/** The health gate was not passed within its timeout, or the app stopped answering during the stability period. */
export class HealthGateFailed extends OpsError {
  readonly retryable = false;
}

export interface HealthResult {
  url: string;
  healthyAfterSeconds: number;
  checks: number;
}

/**
 * Polls the stage's health URL from the orchestrator until it answers with the expected status
 * (and body match), then keeps checking for the stability period: a container that comes up and
 * falls over a few seconds later does not pass.
 */
export async function checkHealth(config: OpsConfig, input: { app: string; stage: string }): Promise<HealthResult> {
  const { stage } = stageTarget(config, input.app, input.stage);
  const { url, expectStatus, bodyMatch, timeoutSeconds, intervalSeconds, stableSeconds } = stage.health;
  const pattern = bodyMatch ? new RegExp(bodyMatch) : undefined;
  return withHeartbeat(async ({ cancelSignal, progress }) => {
    const started = Date.now();
    let checks = 0;
    let last = 'no answer yet';
    const probe = async (): Promise<boolean> => {
      checks++;
      try {
        const response = await fetch(url, { signal: AbortSignal.any([cancelSignal, AbortSignal.timeout(Math.max(1000, intervalSeconds * 1000))]) });
        const body = await response.text();
        last = `HTTP ${response.status}`;
        if (response.status !== expectStatus) return false;
        if (pattern && !pattern.test(body)) {
          last = `HTTP ${response.status}, body does not match /${bodyMatch}/`;
          return false;
        }
        return true;
      } catch (err) {
        if (cancelSignal.aborted) throw err;
        last = (err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message;
        return false;
      }
    };
    const sleep = () => new Promise((resolve) => setTimeout(resolve, intervalSeconds * 1000));
    while (!(await probe())) {
      progress({ checks, last });
      if (Date.now() - started > timeoutSeconds * 1000) throw new HealthGateFailed(`health gate: ${url} not healthy after ${timeoutSeconds}s (last: ${last})`);
      await sleep();
    }
    const healthyAfterSeconds = (Date.now() - started) / 1000;
    const stableUntil = Date.now() + stableSeconds * 1000;
    while (Date.now() < stableUntil) {
      await sleep();
      if (!(await probe())) throw new HealthGateFailed(`health gate: ${url} became unhealthy during the ${stableSeconds}s stability period (${last})`);
    }
    return { url, healthyAfterSeconds, checks };
  });
}
