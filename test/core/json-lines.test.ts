import { describe, expect, it } from 'vitest';
import { formatJsonLine, parseJsonLines } from '../../src/core/json-lines.js';

const isPoint = (value: unknown): value is { x: number } => typeof (value as { x?: unknown } | null)?.x === 'number';

describe('JSON lines', () => {
  it.each<[string, string, Array<{ x: number }>]>([
    ['lines written by formatJsonLine', formatJsonLine({ x: 1 }) + formatJsonLine({ x: 2 }), [{ x: 1 }, { x: 2 }]],
    ['a torn last line is skipped', `${formatJsonLine({ x: 1 })}{"x":`, [{ x: 1 }]],
    ['lines the guard refuses are skipped', `${formatJsonLine({ y: 1 })}${formatJsonLine({ x: 3 })}`, [{ x: 3 }]],
    ['blank lines and text are skipped', `\n  \nnot json\n${formatJsonLine({ x: 4 })}`, [{ x: 4 }]],
    ['an empty file', '', []],
  ])('%s', (_name, text, expected) => {
    expect(parseJsonLines(text, isPoint)).toEqual(expected);
  });
});
