import type { SnapshotFile } from './backup-record.js';
import type { CheckVerdict } from './check-verdicts.js';

/** `sha256sum --zero` output: `<64 hex>  <path>` records ended by NUL, as a map from path to hash. */
export function parseSha256sumZero(output: string): Map<string, string> {
  const hashes = new Map<string, string>();
  for (const record of output.split('\0')) {
    const match = /^([0-9a-f]{64}) [ *](.+)$/s.exec(record);
    if (match) hashes.set(match[2]!, match[1]!);
  }
  return hashes;
}

/**
 * The verdicts after a files restore: every file of the manifest is there, and every one has the
 * manifest's sha256. `actual` maps the manifest's relative paths to what was found; files the
 * directory has beyond the manifest are not judged (they are kept without --delete).
 */
export function filesRestoreVerdicts(expected: SnapshotFile[], actual: Map<string, string>, options: { namePaths: boolean } = { namePaths: true }): CheckVerdict[] {
  const missing = expected.filter((f) => !actual.has(f.path)).map((f) => f.path);
  const differing = expected.filter((f) => actual.has(f.path) && actual.get(f.path) !== f.sha256).map((f) => f.path);
  const present = expected.length - missing.length;
  // A sealed snapshot's paths name customers' files: its verdicts say how many, not which.
  const which = (paths: string[]) => (options.namePaths ? `: ${listed(paths)}` : '');
  return [
    { check: 'files present', passed: missing.length === 0, detail: `manifest ${expected.length}, present ${present}${missing.length > 0 ? `; missing ${missing.length}${which(missing)}` : ''}` },
    {
      check: 'checksums',
      passed: missing.length === 0 && differing.length === 0,
      detail: differing.length === 0 ? `${present - differing.length} of ${expected.length} file(s) match the manifest's sha256` : `${differing.length} of ${expected.length} differ from the manifest${which(differing)}`,
    },
  ];
}

function listed(paths: string[]): string {
  return paths.length <= 5 ? paths.join(', ') : `${paths.slice(0, 5).join(', ')} and ${paths.length - 5} more`;
}
