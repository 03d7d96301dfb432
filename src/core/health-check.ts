/** What a health URL must answer: the status, and optionally a regular expression the body matches. */
export interface HealthExpectation {
  expectStatus: number;
  bodyMatch?: string;
}

/** Why one health answer does not pass (e.g. "HTTP 500"), or undefined when it does. */
export function healthProblem(answer: { status: number; body: string }, expected: HealthExpectation): string | undefined {
  if (answer.status !== expected.expectStatus) return `HTTP ${answer.status}`;
  if (expected.bodyMatch !== undefined && !new RegExp(expected.bodyMatch).test(answer.body)) {
    return `HTTP ${answer.status}, body does not match /${expected.bodyMatch}/`;
  }
  return undefined;
}

/** The first URL of a round of checks that did not pass, with its problem; undefined when every URL passed. */
export function firstFailing(problems: ReadonlyArray<{ url: string; problem: string | undefined }>): { url: string; problem: string } | undefined {
  const failing = problems.find((p) => p.problem !== undefined);
  return failing && { url: failing.url, problem: failing.problem! };
}

export function notHealthyMessage(failing: { url: string; problem: string }, timeoutSeconds: number): string {
  return `health gate: ${failing.url} not healthy after ${timeoutSeconds}s (last: ${failing.problem})`;
}

export function notStableMessage(failing: { url: string; problem: string }, stableSeconds: number): string {
  return `health gate: ${failing.url} not stable: unhealthy again within the ${stableSeconds}s stability period (last: ${failing.problem})`;
}
