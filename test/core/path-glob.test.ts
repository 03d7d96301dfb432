import { describe, expect, it } from 'vitest';
import { globToRegExp, matchingPaths } from '../../src/core/path-glob.js';

describe('globToRegExp', () => {
  it.each([
    ['migrations/**', 'migrations/001.sql', true],
    ['migrations/**', 'migrations/2024/001.sql', true],
    ['migrations/**', 'migrations', false],
    ['migrations/**', 'app/migrations/001.sql', false],
    ['migrations/*', 'migrations/001.sql', true],
    ['migrations/*', 'migrations/2024/001.sql', false],
    ['**/*.sql', 'schema.sql', true],
    ['**/*.sql', 'db/migrations/001.sql', true],
    ['**/*.sql', 'db/migrations/001.sql.bak', false],
    ['db/**/schema.rb', 'db/schema.rb', true],
    ['db/**/schema.rb', 'db/a/b/schema.rb', true],
    ['database/migrations/????_*.php', 'database/migrations/2024_create_users.php', true],
    ['database/migrations/????_*.php', 'database/migrations/24_create_users.php', false],
    ['a+b(1).sql', 'a+b(1).sql', true],
    ['a+b(1).sql', 'aab1.sql', false],
    ['schema.prisma', 'prisma/schema.prisma', false],
  ])('%s against %s: %s', (glob, path, matches) => {
    expect(globToRegExp(glob).test(path)).toBe(matches);
  });
});

describe('matchingPaths', () => {
  it('keeps the paths matching any glob, in the order given', () => {
    expect(matchingPaths(['README.md', 'migrations/002.sql', 'src/a.ts', 'db/schema.sql', 'migrations/001.sql'], ['migrations/**', '**/*.sql'])).toEqual([
      'migrations/002.sql',
      'db/schema.sql',
      'migrations/001.sql',
    ]);
  });

  it('no globs match nothing', () => {
    expect(matchingPaths(['migrations/001.sql'], [])).toEqual([]);
  });
});
