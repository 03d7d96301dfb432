import { describe, expect, it } from 'vitest';
import { invokedVerb } from '../../src/starters/invoked-verb.js';

const VALUE_FLAGS = new Set(['-c', '--config']);

describe('invokedVerb', () => {
  it.each([
    [[], undefined],
    [['backup'], 'backup'],
    [['backups', 'list'], 'backups'],
    [['--config', 'x.yaml', 'backup'], 'backup'],
    [['-c', 'x.yaml', 'deploy', 'crm'], 'deploy'],
    [['--config=x.yaml', 'status'], 'status'],
    [['-cx.yaml', 'status'], 'status'],
    [['-vc', 'x.yaml', 'status'], 'status'],
    [['-v', 'status'], 'status'],
    [['--verbose', 'config', 'check', '--config', 'x.yaml'], 'config'],
    [['help', 'deploy'], 'deploy'],
    [['help'], undefined],
    [['--help'], undefined],
    [['-h', 'backup'], undefined],
    [['--version'], undefined],
    [['--', 'backup'], 'backup'],
    [['--config', 'backup'], undefined],
  ] as const)('%j runs %s', (args, verb) => {
    expect(invokedVerb(args, VALUE_FLAGS)).toBe(verb);
  });
});
