/**
 * A stage's hosts as its runbook walks them. A run planned before stages could have several has no
 * names: its one host is `undefined`, and each step finds the stage's only host, as it did then.
 */
export type HostName = string | undefined;

/** Each stage's hosts in rollout order, and how many switch at a time (from planDeploy). */
export type StageHosts = Record<string, { names: string[]; parallel: number }>;

export function hostsOf(hosts: StageHosts | undefined, stage: string): { names: HostName[]; parallel: number } {
  return hosts?.[stage] ?? { names: [undefined], parallel: 1 };
}

/**
 * `body` on every host at once; waits for all of them, so no step is still running on one host when
 * the stage goes on to log or roll back after another failed. Throws the first failure, in host order.
 */
export async function onEvery<T>(hosts: HostName[], body: (host: HostName) => Promise<T>): Promise<T[]> {
  const results = await Promise.allSettled(hosts.map(body));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<T>).value);
}

/** The hosts in switch batches of `size`, in rollout order. */
export function batches<T>(hosts: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < hosts.length; i += size) out.push(hosts.slice(i, i + size));
  return out;
}
