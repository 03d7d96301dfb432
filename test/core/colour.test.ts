import { describe, expect, it } from 'vitest';
import { colourWanted, paint, visibleLength } from '../../src/core/colour.js';

describe('colourWanted', () => {
  it.each([
    [{}, true, true],
    [{}, false, false],
    [{ NO_COLOR: '1' }, true, false],
    [{ NO_COLOR: '' }, true, true],
    [{ NO_COLOR: '1', FORCE_COLOR: '1' }, true, false],
    [{ FORCE_COLOR: '1' }, false, true],
    [{ FORCE_COLOR: '' }, false, true],
    [{ FORCE_COLOR: '0' }, true, false],
    [{ FORCE_COLOR: 'false' }, true, false],
  ])('env %j on a terminal: %s → %s', (env, isTTY, wanted) => {
    expect(colourWanted(env, isTTY)).toBe(wanted);
  });
});

describe('paint', () => {
  it('wraps text in the style\'s codes only when enabled', () => {
    expect(paint('FAIL', 'red', true)).toBe('\x1b[31mFAIL\x1b[39m');
    expect(paint('FAIL', 'red', false)).toBe('FAIL');
    expect(visibleLength(paint('OK', 'green', true))).toBe(2);
  });
});
