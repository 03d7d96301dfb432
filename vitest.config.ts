import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One Temporal dev server, PostgreSQL, MariaDB and sshd for the whole run (test/global-setup.ts);
    // each test file makes its own databases, directories and task queue on them.
    globalSetup: ['test/global-setup.ts'],
    pool: 'forks',
    // Two cores: more files at once only makes the real servers fight for CPU.
    maxWorkers: 2,
    minWorkers: 1,
    testTimeout: 120_000,
    hookTimeout: 180_000,
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
