/**
 * Git-style path globs for `migrate.when.paths`: `*` and `?` stay within one path segment, `**`
 * spans any number of them (`migrations/**` matches every file below migrations/, `**\/*.sql` every
 * .sql file). Written here because the project has no glob library of its own to depend on.
 */
export function globToRegExp(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i]!;
    if (char === '*' && glob[i + 1] === '*') {
      const wholeSegment = (i === 0 || glob[i - 1] === '/') && (i + 2 === glob.length || glob[i + 2] === '/');
      if (wholeSegment && glob[i + 2] === '/') {
        // `**/` also matches no directory at all: `**/x.sql` matches `x.sql`.
        source += '(?:.*/)?';
        i += 2;
      } else {
        source += '.*';
        i += 1;
      }
    } else if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/** The paths that match any of the globs, in the order given. */
export function matchingPaths(paths: readonly string[], globs: readonly string[]): string[] {
  const patterns = globs.map(globToRegExp);
  return paths.filter((path) => patterns.some((pattern) => pattern.test(path)));
}
