import { describe, expect, it } from 'vitest';
import { restoreJobs } from '../../src/core/restore-jobs.js';

describe('restoreJobs', () => {
  it.each([
    [1, 1],
    [2, 2],
    [3, 3],
    [4, 4],
    [16, 4],
    [0, 1],
    [2.5, 2],
  ])('%d cores: %d jobs', (cores, jobs) => {
    expect(restoreJobs(cores)).toBe(jobs);
  });
});
