import { describe, expect, it } from 'vitest';
import { activityRolesOf, roleTaskQueue, type WorkerRole } from '../../src/temporal/names.js';
import { runCli } from '../support/run-cli.js';

describe('worker roles and their task queues', () => {
  it.each<[WorkerRole, string[]]>([
    ['backup', ['ops-backup']],
    ['deploy', ['ops-deploy']],
    ['all', ['ops-backup', 'ops-deploy']],
  ])('role %s takes the steps of %j (besides the workflow queue "ops")', (role, queues) => {
    expect(activityRolesOf(role).map((r) => roleTaskQueue('ops', r))).toEqual(queues);
  });

  it('ops worker --role with an unknown role is a usage error (exit 2) naming the choices', async () => {
    const result = await runCli(['worker', '--role', 'db']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("option '--role <role>' argument 'db' is invalid. Allowed choices are backup, deploy, all.");
  });
});
