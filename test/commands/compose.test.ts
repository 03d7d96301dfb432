import { describe, expect, it } from 'vitest';
import { compose, composeBuild, composeDown, composeUp, type ComposeProject } from '../../src/commands/compose.js';
import { composeImages, dockerLoad, dockerPull, dockerPush, dockerSave, dockerTag, imageIds, imagesPresent } from '../../src/commands/docker-images.js';

const RELEASE: ComposeProject = { dir: '/srv/crm/releases/0123abcd', files: ['docker-compose.yml'], project: 'crm-prod' };
const GLOBAL = ['docker', 'compose', '--project-directory', '/srv/crm/releases/0123abcd', '-f', '/srv/crm/releases/0123abcd/docker-compose.yml', '-p', 'crm-prod'];

describe('compose commands', () => {
  it.each<[string, string[], string[]]>([
    ['build', composeBuild(RELEASE), [...GLOBAL, 'build']],
    ['up: detached, removing orphans of the project', composeUp(RELEASE), [...GLOBAL, 'up', '-d', '--remove-orphans']],
    ['up of shipped images: never a build on this host', composeUp(RELEASE, { noBuild: true }), [...GLOBAL, 'up', '-d', '--remove-orphans', '--no-build']],
    ['the images compose names for the services', composeImages(RELEASE), [...GLOBAL, 'config', '--images']],
    ['tag', dockerTag('crm-prod-app', 'crm-app:0123abcd4567'), ['docker', 'tag', 'crm-prod-app', 'crm-app:0123abcd4567']],
    ['image IDs, one per line', imageIds(['crm-app:0123abcd4567', 'crm-worker:0123abcd4567']), ['docker', 'image', 'inspect', '--format', '{{.Id}}', 'crm-app:0123abcd4567', 'crm-worker:0123abcd4567']],
    ['save to stdout', dockerSave(['crm-app:0123abcd4567']), ['docker', 'save', 'crm-app:0123abcd4567']],
    ['load from stdin', dockerLoad(), ['docker', 'load']],
    ['push one image to the registry', dockerPush('registry.example.com/team/crm-app:0123abcd4567'), ['docker', 'push', 'registry.example.com/team/crm-app:0123abcd4567']],
    ['pull one image from the registry', dockerPull('registry.example.com/team/crm-app:0123abcd4567'), ['docker', 'pull', 'registry.example.com/team/crm-app:0123abcd4567']],
    ['whether images are on the host: an answer, never a failure', imagesPresent(['crm-app:0123abcd4567']), ['sh', '-c', 'if docker image inspect --format "{{.Id}}" "$@" >/dev/null 2>&1; then echo present; else echo absent; fi', 'sh', 'crm-app:0123abcd4567']],
    ['down', composeDown(RELEASE), [...GLOBAL, 'down']],
  ])('%s', (_name, argv, expected) => {
    expect(argv).toEqual(expected);
  });

  it.each<[string, ComposeProject, string[]]>([
    [
      'several files, in order, each absolute under the release dir',
      { dir: '/srv/crm/releases/0123abcd', files: ['compose.yaml', 'compose.prod.yaml'], project: 'crm-prod' },
      [
        ...['docker', 'compose', '--project-directory', '/srv/crm/releases/0123abcd'],
        ...['-f', '/srv/crm/releases/0123abcd/compose.yaml', '-f', '/srv/crm/releases/0123abcd/compose.prod.yaml'],
        ...['-p', 'crm-prod', 'ps'],
      ],
    ],
    [
      'a release dir with a trailing slash: no double slash in -f',
      { dir: '/srv/crm/releases/0123abcd/', files: ['docker-compose.yml'], project: 'crm_staging' },
      ['docker', 'compose', '--project-directory', '/srv/crm/releases/0123abcd/', '-f', '/srv/crm/releases/0123abcd/docker-compose.yml', '-p', 'crm_staging', 'ps'],
    ],
    [
      'a file in a subdirectory, and a path with a space kept as one word',
      { dir: '/srv/my app/releases/0123abcd', files: ['deploy/compose.yml'], project: 'my-app-prod' },
      ['docker', 'compose', '--project-directory', '/srv/my app/releases/0123abcd', '-f', '/srv/my app/releases/0123abcd/deploy/compose.yml', '-p', 'my-app-prod', 'ps'],
    ],
  ])('compose: %s', (_name, project, expected) => {
    expect(compose(project, ['ps'])).toEqual(expected);
  });
});
