/** The crm app's stages in the config tests, as YAML flow mappings. */
export const CRM_STAGING = '{ name: staging, host: web1, baseUrl: https://staging.crm, health: { url: https://staging.crm/up } }';
export const CRM_PROD = '{ name: prod, host: web1, baseUrl: https://crm, health: { url: https://crm/up } }';

/**
 * The `hosts:` (web1) and `apps:` (crm, from /srv/git/crm to /srv/crm) of a config, with the given
 * stages, then `appKeys` (lines of the app's own, e.g. `    migrate: ...\n`). More apps may follow.
 */
export function crmAppYaml(stages: string[] = [CRM_STAGING, CRM_PROD], appKeys = ''): string {
  return `hosts:
  web1: { ssh: ssh://deploy@web1 }
apps:
  - name: crm
    repository: /srv/git/crm
    path: /srv/crm
    stages:
${stages.map((stage) => `      - ${stage}\n`).join('')}${appKeys}`;
}
