export interface ComposeProject {
  /** The release directory on the host. */
  dir: string;
  files: string[];
  project: string;
}

/**
 * `docker compose` for one release. --project-directory and absolute -f paths make the command
 * independent of the remote working directory, and -p keeps the project name stable across
 * releases, so `up` in a new release replaces the previous release's containers.
 */
export function compose(target: ComposeProject, subcommand: string[]): string[] {
  return [
    'docker', 'compose',
    '--project-directory', target.dir,
    ...target.files.flatMap((file) => ['-f', `${target.dir.replace(/\/$/, '')}/${file}`]),
    '-p', target.project,
    ...subcommand,
  ];
}

export const composeBuild = (target: ComposeProject) => compose(target, ['build']);
/** `noBuild`: the images are already on the host (shipped there); a missing one fails instead of being built from this release. */
export const composeUp = (target: ComposeProject, options: { noBuild?: boolean } = {}) => compose(target, ['up', '-d', '--remove-orphans', ...(options.noBuild ? ['--no-build'] : [])]);
export const composeDown = (target: ComposeProject) => compose(target, ['down']);

export interface ComposeLogsOptions {
  service?: string;
  follow?: boolean;
  /** compose's --since: a duration (10m, 2h) or a timestamp */
  since?: string;
}

export const composeLogs = (target: ComposeProject, options: ComposeLogsOptions = {}) =>
  compose(target, ['logs', '--no-color', ...(options.since ? ['--since', options.since] : []), ...(options.follow ? ['--follow'] : []), ...(options.service ? [options.service] : [])]);
