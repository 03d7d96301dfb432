import { describe, expect, it, onTestFinished } from 'vitest';
import { runOnHost } from '../../src/activities/deploy/run-on-host.js';
import { stageTarget } from '../../src/activities/deploy/stage-target.js';
import { CommandFailed } from '../../src/core/errors.js';
import { freePort } from '../../src/local-servers/free-port.js';
import { makeDeployFixture, type DeployFixtureOptions } from '../support/deploy-fixture.js';

async function stagingTarget(options: DeployFixtureOptions = {}) {
  const fixture = await makeDeployFixture(options);
  onTestFinished(() => fixture.cleanup());
  return { config: fixture.config, target: stageTarget(fixture.config, fixture.app, 'staging') };
}

async function failureOf(run: Promise<unknown>): Promise<CommandFailed> {
  const error: unknown = await run.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(CommandFailed);
  return error as CommandFailed;
}

describe('runOnHost over the test sshd', () => {
  it('returns the remote stdout, each argv word arriving intact', async () => {
    const { config, target } = await stagingTarget();
    expect(await runOnHost(config, target, ['printf', '%s|', 'two words', "it's", '$HOME', '-x'])).toBe("two words|it's|$HOME|-x|");
  });

  it("a remote command's own exit is named after it and the host, and is not retried", async () => {
    const { config, target } = await stagingTarget();
    const failure = await failureOf(runOnHost(config, target, ['sh', '-c', 'echo "no such service" >&2; exit 3'], { what: 'docker compose up' }));
    expect(failure.message).toBe('docker compose up on local failed (exit 3): no such service');
    expect(failure).toMatchObject({ exitCode: 3, retryable: false });
    const unnamed = await failureOf(runOnHost(config, target, ['false']));
    expect(unnamed.message).toMatch(/^false on local failed \(exit 1\): /);
  });

  it("ssh's own failure (exit 255) stays ssh's, and is retryable", async () => {
    const port = await freePort();
    const { config, target } = await stagingTarget({ edit: (doc) => (doc.hosts.local.ssh = doc.hosts.local.ssh.replace(/:\d+$/, `:${port}`)) });
    const failure = await failureOf(runOnHost(config, target, ['true'], { what: 'docker compose up' }));
    expect(failure.message).toBe(`ssh failed (exit 255): ssh: connect to host 127.0.0.1 port ${port}: Connection refused`);
    expect(failure).toMatchObject({ exitCode: 255, retryable: true });
  });
});
