import type { ActivityInterfaceFor } from '@temporalio/workflow';

/**
 * The same activities, each call labelled `summary` in the Web UI's timeline (the scheduled
 * event's user metadata): `withSummary(long, 'dump crm-db').dumpTarget(...)`. The label is
 * metadata, not part of the commands a replay compares, so changing one never breaks a running
 * workflow.
 */
export function withSummary<A>(activities: ActivityInterfaceFor<A>, summary: string): ActivityInterfaceFor<A> {
  return new Proxy(activities as object, {
    get(target, name) {
      const activity = Reflect.get(target, name) as { executeWithOptions(options: { summary: string }, args: unknown[]): Promise<unknown> };
      return (...args: unknown[]) => activity.executeWithOptions({ summary }, args);
    },
  }) as ActivityInterfaceFor<A>;
}
