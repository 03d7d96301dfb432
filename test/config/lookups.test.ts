import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.js';
import { findApp, findStage, findStages, findTarget, findTargets } from '../../src/config/lookups.js';
import { PreconditionFailed, UnknownName } from '../../src/core/errors.js';
import { EXIT, exitCodeFor } from '../../src/starters/exit-codes.js';
import { crmAppYaml } from '../support/crm-app-yaml.js';

const config = parseConfig(`
databases:
  - { name: crm-db, url: postgres://ops@db/crm }
  - { name: shop-db, url: mysql://ops@db/shop }
files:
  - { name: uploads, source: /srv/uploads }
backup:
  verify:
    postgres: { url: postgres://admin@scratch-pg }
    mysql: { url: mysql://root@scratch-my }
${crmAppYaml()}`, '/etc/ops/ops.config.yaml', {});
const empty = parseConfig('', '/etc/ops/ops.config.yaml', {});

function thrown(lookup: () => unknown): unknown {
  try {
    lookup();
  } catch (err) {
    return err;
  }
  throw new Error('expected the lookup to throw');
}

describe('config lookups', () => {
  it('find configured names, in the order asked', () => {
    expect([findTarget(config, 'uploads').kind, findTarget(config, 'shop-db').kind]).toEqual(['files', 'mysql']);
    expect(findTargets(config, ['uploads', 'crm-db']).map((t) => t.name)).toEqual(['uploads', 'crm-db']);
    expect(findApp(config, 'crm').path).toBe('/srv/crm');
    expect(findStage(config, 'crm', 'prod').baseUrl).toBe('https://crm');
    expect(findStages(config, 'crm', ['prod', 'staging']).map((s) => s.name)).toEqual(['prod', 'staging']);
  });

  it.each<[string, () => unknown, string]>([
    ['a target', () => findTarget(config, 'nope'), 'unknown target "nope" (configured: crm-db, shop-db, uploads)'],
    ['every unknown target at once', () => findTargets(config, ['a', 'crm-db', 'b']), 'unknown targets "a", "b" (configured: crm-db, shop-db, uploads)'],
    ['a target when none is configured', () => findTarget(empty, 'nope'), 'unknown target "nope" (configured: none)'],
    ['an app', () => findApp(config, 'shop'), 'unknown app "shop" (configured: crm)'],
    ['the app of a stage, before the stage', () => findStage(config, 'shop', 'prod'), 'unknown app "shop" (configured: crm)'],
    ['a stage', () => findStage(config, 'crm', 'qa'), 'unknown stage "qa" of app "crm" (configured: staging, prod)'],
    ['stages', () => findStages(config, 'crm', ['qa', 'prod', 'dev']), 'unknown stages "qa", "dev" of app "crm" (configured: staging, prod)'],
  ])('an unknown name is one error type naming what was asked and what is configured: %s', (_name, lookup, message) => {
    const err = thrown(lookup);
    expect(err).toBeInstanceOf(UnknownName);
    expect([(err as UnknownName).name, (err as UnknownName).message, (err as UnknownName).retryable]).toEqual(['UnknownName', message, false]);
  });

  it('is a precondition of the step that asked (non-retryable in an activity) and bad usage at the CLI (exit 2)', () => {
    const err = thrown(() => findTarget(config, 'nope'));
    expect(err).toBeInstanceOf(PreconditionFailed);
    expect(exitCodeFor(err)).toBe(EXIT.usage);
  });
});
