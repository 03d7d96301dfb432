import { describe, expect, it } from 'vitest';
import { PARALLEL_RESTORE_MIN_BYTES, restoreJobs } from '../../src/core/restore-jobs.js';

const LARGE = 512 * 2 ** 20;

describe('restoreJobs', () => {
  it.each([
    [1, LARGE, 1],
    [2, LARGE, 2],
    [3, LARGE, 3],
    [4, LARGE, 4],
    [16, LARGE, 4],
    [0, LARGE, 1],
    [2.5, LARGE, 2],
    [2, PARALLEL_RESTORE_MIN_BYTES, 2],
    [2, PARALLEL_RESTORE_MIN_BYTES - 1, 1],
    [16, 2 * 2 ** 20, 1],
    [16, 0, 1],
  ])('%d cores, a %d-byte dump: %d jobs', (cores, bytes, jobs) => {
    expect(restoreJobs(cores, bytes)).toBe(jobs);
  });
});
