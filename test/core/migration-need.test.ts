import { describe, expect, it } from 'vitest';
import { describeMigrationNeed, LISTED_PATHS, migrationNeed, type MigrationFacts, type MigrationNeed } from '../../src/core/migration-need.js';

const many = Array.from({ length: LISTED_PATHS + 3 }, (_, i) => `migrations/${String(i).padStart(3, '0')}.sql`);

describe('migrationNeed', () => {
  it.each<[string, MigrationFacts, MigrationNeed, string]>([
    ['--migrate runs it whatever changed', { forced: true, globs: ['migrations/**'], changed: [] }, { run: true, why: 'forced' }, 'forced (--migrate)'],
    ['--migrate runs it for an app without paths', { forced: true, changed: ['README.md'] }, { run: true, why: 'forced' }, 'forced (--migrate)'],
    [
      'a changed migration runs it',
      { forced: false, globs: ['migrations/**'], changed: ['README.md', 'migrations/002.sql'] },
      { run: true, why: 'paths-changed', paths: ['migrations/002.sql'], more: 0 },
      'paths changed: migrations/002.sql',
    ],
    [
      'no matching change: not needed',
      { forced: false, globs: ['migrations/**', 'schema.sql'], changed: ['README.md', 'src/app.ts'] },
      { run: false, why: 'not-needed', detail: 'no change under migrations/**, schema.sql' },
      'not needed: no change under migrations/**, schema.sql',
    ],
    [
      'no paths configured: only --migrate runs it',
      { forced: false, changed: ['migrations/002.sql'] },
      { run: false, why: 'not-needed', detail: 'no migrate.when.paths; runs only with --migrate' },
      'not needed: no migrate.when.paths; runs only with --migrate',
    ],
    [
      'many changed: the first ones are listed, the rest counted',
      { forced: false, globs: ['migrations/**'], changed: many },
      { run: true, why: 'paths-changed', paths: many.slice(0, LISTED_PATHS), more: 3 },
      `paths changed: ${many.slice(0, LISTED_PATHS).join(', ')} and 3 more`,
    ],
  ])('%s', (_, facts, need, line) => {
    expect(migrationNeed(facts)).toEqual(need);
    expect(describeMigrationNeed(need)).toBe(line);
  });
});
