import { configDefaults, defineConfig } from 'vitest/config';

/**
 * The fast lane: pure logic, argv builders and the config loader need no server, so they run
 * without the global setup (`npm run test:unit`). A new file in these folders joins the lane by
 * itself; test/lanes.test.ts fails if one of them starts to need a server.
 */
const UNIT_LANE = ['test/core/**/*.test.ts', 'test/contracts/**/*.test.ts', 'test/commands/**/*.test.ts', 'test/config/**/*.test.ts', 'test/replay/**/*.test.ts', 'test/lanes.test.ts'];

export default defineConfig({
  test: {
    pool: 'forks',
    // Only the unit project runs on threads. Its pure tests can share one module graph, and not
    // starting a fresh worker per file is what brings the lane under 30 s on a loaded two-core
    // machine (vitest reads this from the root config only, not from a project's).
    poolOptions: { threads: { isolate: false } },
    // Two cores: more files at once only makes the real servers fight for CPU.
    maxWorkers: 2,
    minWorkers: 1,
    testTimeout: 120_000,
    hookTimeout: 180_000,
    reporters: ['default', './test/support/summary-reporter.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: UNIT_LANE,
          pool: 'threads',
          // First, alone: in `npm test` it then does not share the cores with the server tests.
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'servers',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...UNIT_LANE],
          // One Temporal dev server, PostgreSQL, MariaDB and sshd for the whole run (test/global-setup.ts),
          // started only when a file of this project runs; each test file makes its own databases,
          // directories and task queue on them.
          globalSetup: ['test/global-setup.ts'],
          sequence: { groupOrder: 1 },
        },
      },
      // `npm run histories:save` only: re-saves the histories the replay test replays.
      ...(process.env.OPS_SAVE_HISTORIES === '1'
        ? [{ extends: true as const, test: { name: 'histories', include: ['test/replay/save-histories.run.ts'], globalSetup: ['test/global-setup.ts'] } }]
        : []),
    ],
  },
});
