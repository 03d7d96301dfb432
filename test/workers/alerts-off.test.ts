import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { alertsOffNotice } from '../../src/activities/notify/send-alert.js';
import { parseConfig } from '../../src/config/load-config.js';
import { testServers } from '../support/servers.js';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.js';

const ALERTS_OFF = 'alerts are off: no notify.slack.webhookUrl and no notify.email configured';

/** "Alerts are off" is said when the worker starts, not at its first alert, which a quiet worker never raises. */
describe('alerts are off', () => {
  it.each([
    ['no notify key', '', ALERTS_OFF],
    ['notify without a channel', 'notify: { rateLimitMinutes: 10 }', ALERTS_OFF],
    ['Slack', 'notify: { slack: { webhookUrl: "${SLACK_WEBHOOK_URL}" } }', undefined],
    ['email only', 'notify: { email: { smtp: { host: mail.example.com }, from: ops@example.com, to: [oncall@example.com] } }', undefined],
  ])('%s', (_, yaml, expected) => {
    const config = parseConfig(yaml, '/etc/ops/ops.config.yaml', { SLACK_WEBHOOK_URL: 'https://hooks.example/T0/B0/x' });
    expect(alertsOffNotice(config)).toBe(expected);
  });

  describe('an `ops worker` process with no alert channel', () => {
    const dir = mkdtempSync(join(testServers().scratchRoot, 'alerts-off-'));
    let worker: WorkerProcess | undefined;
    afterAll(async () => {
      await worker?.kill();
      rmSync(dir, { recursive: true, force: true });
    });

    it('says so once, at start, before any alert', async () => {
      const configFile = join(dir, 'ops.config.yaml');
      writeFileSync(configFile, [`stateDir: ${join(dir, 'state')}`, `repository: ${join(dir, 'repo')}`, `reports: ${join(dir, 'reports')}`].join('\n'));
      worker = await startWorkerProcess({ configFile, env: {}, taskQueue: `alerts-off-${randomBytes(4).toString('hex')}` });
      expect(worker.output().split('\n').filter((line) => line.includes('alerts are off'))).toEqual([ALERTS_OFF]);
    });
  });
});
