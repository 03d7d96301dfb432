import type { WorkflowHandle } from '@temporalio/client';

/**
 * Every string in a run's history, payloads decoded: JSON.stringify would show their bytes as
 * numbers or base64, where no search for a secret could find it.
 */
export async function historyText(handle: WorkflowHandle): Promise<string> {
  const texts: string[] = [];
  const seen = new Set<unknown>();
  const walk = (value: unknown): void => {
    if (typeof value === 'string') texts.push(value);
    else if (value instanceof Uint8Array) texts.push(Buffer.from(value).toString('utf8'));
    else if (value !== null && typeof value === 'object' && !seen.has(value)) {
      seen.add(value);
      for (const item of Object.values(value)) walk(item);
    }
  };
  walk(await handle.fetchHistory());
  return texts.join('\n');
}
