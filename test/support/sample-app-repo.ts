import { cp, mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

const SAMPLE_APP = fileURLToPath(new URL('../fixtures/sample-app', import.meta.url));

export interface SampleAppRepo {
  /** Absolute path of the working tree (and of its .git). */
  repo: string;
  /** Writes (string) or deletes (null) files given by repo-relative path, commits everything, returns the new sha. */
  commit(message: string, changes: Record<string, string | null>): Promise<string>;
  /** The full commit sha of `ref` (default HEAD). */
  sha(ref?: string): Promise<string>;
}

function inRepo(repo: string, path: string): string {
  const file = resolve(repo, path);
  const gitDir = join(repo, '.git');
  if (isAbsolute(path) || !file.startsWith(`${repo}/`) || file === gitDir || file.startsWith(`${gitDir}/`)) {
    throw new Error(`sample app repo: ${JSON.stringify(path)} is not a path inside the working tree`);
  }
  return file;
}

/** A real git repository on branch main in `dir` (new or empty) holding test/fixtures/sample-app as its first commit. */
export async function createSampleAppRepo(dir: string): Promise<SampleAppRepo> {
  const repo = resolve(dir);
  await mkdir(repo, { recursive: true });
  await cp(SAMPLE_APP, repo, { recursive: true });
  const git = (args: string[]) => execa('git', args, { cwd: repo, stdin: 'ignore' });
  await git(['init', '-q', '-b', 'main']);
  // Local settings so the commits never depend on (or sign with) the machine's git config.
  await git(['config', 'user.name', 'ops tests']);
  await git(['config', 'user.email', 'ops-tests@example.invalid']);
  await git(['config', 'commit.gpgsign', 'false']);

  const sha = async (ref = 'HEAD') => (await git(['rev-parse', '--verify', `${ref}^{commit}`])).stdout.trim();
  const commitAll = async (message: string) => {
    await git(['add', '--all']);
    // Empty commits are allowed: a new sha with the same tree is a legitimate redeploy.
    await git(['commit', '-q', '--allow-empty', '-m', message]);
    return sha();
  };
  await commitAll('Sample app');

  const commit = async (message: string, changes: Record<string, string | null>) => {
    for (const [path, content] of Object.entries(changes)) {
      const file = inRepo(repo, path);
      if (content === null) {
        await rm(file, { force: true });
      } else {
        await mkdir(dirname(file), { recursive: true });
        await writeFile(file, content);
      }
    }
    return commitAll(message);
  };
  return { repo, commit, sha };
}
