import { DEPLOY_INPUT_KEYS, deployInputFaults, SMOKE_LEVELS, type DeployInputKey } from '../contracts/deploy.js';
import type { OpsConfigParsed } from './schema.js';

/** A named cross-field rule: returns the problems it finds, each with its path. */
export interface ConfigRule {
  name: string;
  check(config: OpsConfigParsed): string[];
}

export const configRules: ConfigRule[] = [
  {
    name: 'target names are unique across databases and files',
    check(config) {
      const seen = new Map<string, string>();
      const problems: string[] = [];
      const all = [
        ...config.databases.map((d, i) => [d.name, `databases[${i}].name`] as const),
        ...config.files.map((f, i) => [f.name, `files[${i}].name`] as const),
      ];
      for (const [name, path] of all) {
        const first = seen.get(name);
        if (first) problems.push(`${path}: target name "${name}" is already used by ${first}`);
        else seen.set(name, path);
      }
      return problems;
    },
  },
  {
    name: 'every database engine in use has a verify server',
    check(config) {
      return config.databases.flatMap((database, i) => {
        const engine = database.url.engine;
        return config.backup.verify[engine]
          ? []
          : [`databases[${i}].url: ${engine} target "${database.name}" needs backup.verify.${engine} (a server to verify-restore into)`];
      });
    },
  },
  {
    name: 'a database is reached one way',
    check(config) {
      return config.databases.flatMap((database, i) =>
        database.via && database.exec ? [`databases[${i}].exec: target "${database.name}" sets both via and exec; choose one`] : [],
      );
    },
  },
  {
    name: 'retention keeps at least one backup',
    check(config) {
      const { daily, weekly, monthly } = config.backup.retention;
      return daily + weekly + monthly >= 1 ? [] : ['backup.retention: must keep at least one backup (daily + weekly + monthly >= 1)'];
    },
  },
  {
    name: 'assertions state a bound',
    check(config) {
      return config.databases.flatMap((database, i) =>
        database.assertions.flatMap((a, j) =>
          a.min === undefined && a.max === undefined && a.equals === undefined
            ? [`databases[${i}].assertions[${j}]: needs at least one of min, max, equals`]
            : [],
        ),
      );
    },
  },
  {
    name: 'app names are unique, and stage names unique within an app',
    check(config) {
      const problems: string[] = [];
      config.apps.forEach((app, i) => {
        const first = config.apps.findIndex((a) => a.name === app.name);
        if (first !== i) problems.push(`apps[${i}].name: app "${app.name}" is already defined at apps[${first}]`);
        app.stages.forEach((stage, j) => {
          const firstStage = app.stages.findIndex((s) => s.name === stage.name);
          if (firstStage !== j) problems.push(`apps[${i}].stages[${j}].name: stage "${stage.name}" is already defined at apps[${i}].stages[${firstStage}]`);
        });
      });
      return problems;
    },
  },
  {
    name: 'every stage names its configured hosts, each once',
    check(config) {
      return config.apps.flatMap((app, i) => app.stages.flatMap((stage, j) => stageHostProblems(config, app.name, stage, `apps[${i}].stages[${j}]`)));
    },
  },
  {
    name: 'approval gates name stages of their app',
    check(config) {
      return config.apps.flatMap((app, i) =>
        app.approval.before.flatMap((stageName, j) =>
          app.stages.some((s) => s.name === stageName) ? [] : [`apps[${i}].approval.before[${j}]: "${stageName}" is not a stage of app "${app.name}"`],
        ),
      );
    },
  },
  {
    name: 'a build registry carries build-once images',
    check(config) {
      return config.apps.flatMap((app, i) =>
        app.build.registry !== undefined && !app.build.once ? [`apps[${i}].build.registry: needs build.once: true (the registry carries the images the first stage built to the later ones)`] : [],
      );
    },
  },
  {
    name: 'a migration names a database backup target',
    check(config) {
      const databases = config.databases.map((d) => d.name);
      return config.apps.flatMap((app, i) =>
        app.migrate && !databases.includes(app.migrate.database)
          ? [`apps[${i}].migrate.database: "${app.migrate.database}" is not a database backup target (configured: ${databases.join(', ') || 'none'})`]
          : [],
      );
    },
  },
  {
    name: 'deployPipeline schedules start a deploy the pipeline can run',
    check(config) {
      return Object.entries(config.schedules).flatMap(([id, schedule]) =>
        schedule.workflow === 'deployPipeline' ? deployScheduleProblems(config, `schedules.${id}.args`, id, schedule.args ?? {}) : [],
      );
    },
  },
];

/**
 * A schedule's args reach the workflow unchecked, months after `ops schedules apply`: the
 * DeployInput schema `ops deploy` and planDeploy use checks them here, worded per key, and the app
 * and its stages are checked against the config.
 */
function deployScheduleProblems(config: OpsConfigParsed, path: string, id: string, args: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const { unknownKeys, malformed } = deployInputFaults(args);
  const bad = (key: DeployInputKey) => malformed.includes(key);
  if (unknownKeys.length > 0) {
    const accepted = DEPLOY_INPUT_KEYS.filter((key) => key !== 'runUrl').join(', ');
    problems.push(`${path}: unknown key${unknownKeys.length > 1 ? 's' : ''} ${unknownKeys.map((k) => `"${k}"`).join(', ')} (deployPipeline takes ${accepted})`);
  }

  const configured = config.apps.map((a) => a.name).join(', ') || 'none';
  const app = bad('app') ? undefined : config.apps.find((a) => a.name === args.app);
  if (bad('app')) problems.push(`${path}.app: expected the name of an app to deploy (configured: ${configured})`);
  else if (!app) problems.push(`${path}.app: "${String(args.app)}" is not in apps (configured: ${configured})`);

  if (bad('ref')) problems.push(`${path}.ref: expected a git ref or SHA to deploy, e.g. main`);

  const stageNames = app ? ` (stages: ${app.stages.map((s) => s.name).join(', ')})` : '';
  if (bad('stages')) problems.push(`${path}.stages: expected a list of stage names${stageNames}`);
  else if (app && Array.isArray(args.stages)) {
    args.stages.forEach((stage: string, i) => {
      if (!app.stages.some((s) => s.name === stage)) problems.push(`${path}.stages[${i}]: "${stage}" is not a stage of app "${app.name}"${stageNames}`);
    });
  }

  if (bad('startedBy')) problems.push(`${path}.startedBy: expected a name to record as who started the deploy, e.g. "schedule:${id}"`);
  if (bad('smokeLevel')) problems.push(`${path}.smokeLevel: expected ${SMOKE_LEVELS.map((l) => `"${l}"`).join(' or ')}, got ${JSON.stringify(args.smokeLevel)}`);
  for (const key of ['preApproved', 'skipPromotionCheck', 'migrate'] as const) {
    if (bad(key)) problems.push(`${path}.${key}: expected true or false, got ${JSON.stringify(args[key])}`);
  }
  // Each scheduled run gets its own workflow id, so one link fixed here would point at none of them.
  if (args.runUrl !== undefined) problems.push(`${path}.runUrl: a schedule cannot link its runs: each gets its own workflow id; leave it out`);
  return problems;
}

type ParsedStage = OpsConfigParsed['apps'][number]['stages'][number];

/** A stage has `host:` or `hosts:`, not both; each names a configured host, and a host appears once in a stage. */
function stageHostProblems(config: OpsConfigParsed, app: string, stage: ParsedStage, path: string): string[] {
  const configured = Object.keys(config.hosts);
  const unknown = (name: string, at: string) => (configured.includes(name) ? [] : [`${at}: "${name}" is not in hosts (configured: ${configured.join(', ') || 'none'})`]);
  if ((stage.host === undefined) === (stage.hosts === undefined)) {
    return [`${path}: stage "${stage.name}" of app "${app}" needs exactly one of host or hosts${stage.host === undefined ? '' : ', not both'}`];
  }
  if (stage.host !== undefined) return unknown(stage.host, `${path}.host`);
  return stage.hosts!.flatMap((entry, k) => {
    const first = stage.hosts!.findIndex((other) => other.host === entry.host);
    const repeated = first !== k ? [`${path}.hosts[${k}].host: "${entry.host}" is already a host of stage "${stage.name}" at hosts[${first}]`] : [];
    return [...unknown(entry.host, `${path}.hosts[${k}].host`), ...repeated];
  });
}
