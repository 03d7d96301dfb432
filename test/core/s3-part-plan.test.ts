import { describe, expect, it } from 'vitest';
import { partPlan } from '../../src/core/s3-part-plan.js';

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;

describe('partPlan: parts within S3\'s 10 000, memory bounded', () => {
  it.each<[string, number, { partSize: number; queueSize: number }]>([
    ['an empty file', 0, { partSize: 8 * MIB, queueSize: 4 }],
    ['1 GiB: 8 MiB parts, 4 in flight (32 MiB)', GIB, { partSize: 8 * MIB, queueSize: 4 }],
    ['70 GiB: still 8 MiB parts (8 960 of them)', 70 * GIB, { partSize: 8 * MIB, queueSize: 4 }],
    ['100 GiB: 12 MiB parts, 2 in flight', 100 * GIB, { partSize: 12 * MIB, queueSize: 2 }],
    ['1 TiB: 117 MiB parts (8 963 of them), 2 in flight', 1024 * GIB, { partSize: 117 * MIB, queueSize: 2 }],
  ])('%s', (_name, bytes, expected) => {
    const plan = partPlan(bytes);
    expect(plan).toStrictEqual(expected);
    expect(Math.ceil(bytes / plan.partSize)).toBeLessThanOrEqual(9_000);
  });
});
