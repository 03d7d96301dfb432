import { describe, expect, it } from 'vitest';
import { createDeployActivities } from '../../src/activities/deploy/deploy-activities.js';
import { parseConfig } from '../../src/config/load-config.js';
import { DEPLOY_INPUT_KEYS, deployInputFaults, describeDeployInputFaults } from '../../src/contracts/deploy.js';
import { PreconditionFailed } from '../../src/core/errors.js';
import { crmAppYaml } from '../support/crm-app-yaml.js';

const valid = { app: 'crm', ref: 'main', startedBy: 'ci' };

describe('the DeployInput schema', () => {
  it('takes the keys the workflow reads, in this order', () => {
    expect(DEPLOY_INPUT_KEYS).toStrictEqual(['app', 'ref', 'stages', 'smokeLevel', 'startedBy', 'preApproved', 'skipPromotionCheck', 'migrate', 'runUrl']);
  });

  it.each<[string, unknown, { unknownKeys: string[]; malformed: string[] }]>([
    ['the least a deploy needs', valid, { unknownKeys: [], malformed: [] }],
    [
      'every key',
      { ...valid, stages: ['staging'], smokeLevel: 'standard', preApproved: true, skipPromotionCheck: false, runUrl: 'http://ui/w/deploy-crm' },
      { unknownKeys: [], malformed: [] },
    ],
    ['nothing', {}, { unknownKeys: [], malformed: ['app', 'ref', 'startedBy'] }],
    ['a blank ref and who', { ...valid, ref: '  ', startedBy: '' }, { unknownKeys: [], malformed: ['ref', 'startedBy'] }],
    ['stages as one string', { ...valid, stages: 'prod' }, { unknownKeys: [], malformed: ['stages'] }],
    ['a stage that is not a string', { ...valid, stages: ['staging', 2] }, { unknownKeys: [], malformed: ['stages'] }],
    ['an unknown smoke level', { ...valid, smokeLevel: 'full' }, { unknownKeys: [], malformed: ['smokeLevel'] }],
    ['flags as strings', { ...valid, preApproved: 'yes', skipPromotionCheck: 1 }, { unknownKeys: [], malformed: ['preApproved', 'skipPromotionCheck'] }],
    ['misspelt keys beside a bad value', { ...valid, stage: 'prod', by: 'me', ref: '' }, { unknownKeys: ['stage', 'by'], malformed: ['ref'] }],
  ])('%s', (_name, input, faults) => {
    expect(deployInputFaults(input)).toStrictEqual(faults);
  });

  it.each([
    [{ unknownKeys: ['stage'], malformed: [] }, 'deploy input: unknown key "stage"'],
    [{ unknownKeys: ['a', 'b'], malformed: ['ref', 'stages'] }, 'deploy input: unknown keys "a", "b"; malformed ref, stages'],
  ] as const)('describes %j in one line', (faults, line) => {
    expect(describeDeployInputFaults({ unknownKeys: [...faults.unknownKeys], malformed: [...faults.malformed] })).toBe(line);
  });
});

describe('planDeploy checks the input that reached the workflow', () => {
  const config = parseConfig(crmAppYaml(), '/etc/ops/ops.config.yaml', {});
  const { planDeploy } = createDeployActivities(config);

  it('plans a well-formed input', async () => {
    expect((await planDeploy({ app: 'crm', stages: ['prod'] })).stages).toStrictEqual(['prod']);
  });

  it.each<[string, unknown, string]>([
    ['stages as one string', { app: 'crm', stages: 'prod' }, 'deploy input: malformed stages'],
    ['a key planDeploy does not take', { app: 'crm', stage: 'prod' }, 'deploy input: unknown key "stage"'],
    ['no app', { stages: [] }, 'deploy input: malformed app'],
  ])('refuses %s, not retryable', async (_name, input, message) => {
    const err = await planDeploy(input as { app: string }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PreconditionFailed);
    expect((err as PreconditionFailed).message).toBe(message);
    expect((err as PreconditionFailed).retryable).toBe(false);
  });
});
