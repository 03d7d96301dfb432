import { describe, expect, it } from 'vitest';
import { isRoleSplitNotice } from '../../src/core/role-split-notices.js';

describe('the SDK warnings a role-split worker drops', () => {
  it.each([
    ['No activities registered, not polling for activity tasks', true],
    ['No workflows registered, not polling for workflow tasks', true],
    ['Activity failed', false],
    ['No activities registered', false],
    ['', false],
  ])('%j → %s', (message, dropped) => {
    expect(isRoleSplitNotice(message)).toBe(dropped);
  });
});
