import type { SmokeLevel } from '../activities/deploy/run-smoke.js';
import type { DeployInput } from '../workflows/deploy-pipeline.js';
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
    name: 'every stage names a configured host',
    check(config) {
      const hosts = Object.keys(config.hosts);
      return config.apps.flatMap((app, i) =>
        app.stages.flatMap((stage, j) =>
          hosts.includes(stage.host) ? [] : [`apps[${i}].stages[${j}].host: "${stage.host}" is not in hosts (configured: ${hosts.join(', ') || 'none'})`],
        ),
      );
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
    name: 'deployPipeline schedules start a deploy the pipeline can run',
    check(config) {
      return Object.entries(config.schedules).flatMap(([id, schedule]) =>
        schedule.workflow === 'deployPipeline' ? deployScheduleProblems(config, `schedules.${id}.args`, id, schedule.args ?? {}) : [],
      );
    },
  },
];

/** DeployInput's keys and the smoke levels; `satisfies` stops the build when the workflow's input gains or loses one. */
const DEPLOY_INPUT_KEYS = Object.keys({ app: true, ref: true, stages: true, smokeLevel: true, startedBy: true, preApproved: true, skipPromotionCheck: true, runUrl: true } satisfies Record<keyof DeployInput, true>);
const SMOKE_LEVELS: unknown[] = Object.keys({ smoke: true, standard: true } satisfies Record<SmokeLevel, true>);

/**
 * A schedule's args reach the workflow unchecked, months after `ops schedules apply`: what
 * `ops deploy` checks at the prompt (the app, its stages, a ref, who starts it) is checked here.
 * An unknown key is an error too: a misspelt `stage: prod` would otherwise deploy every stage.
 */
function deployScheduleProblems(config: OpsConfigParsed, path: string, id: string, args: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const unknown = Object.keys(args).filter((key) => !DEPLOY_INPUT_KEYS.includes(key));
  if (unknown.length > 0) {
    const accepted = DEPLOY_INPUT_KEYS.filter((key) => key !== 'runUrl').join(', ');
    problems.push(`${path}: unknown key${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')} (deployPipeline takes ${accepted})`);
  }

  const configured = config.apps.map((a) => a.name).join(', ') || 'none';
  const app = typeof args.app === 'string' ? config.apps.find((a) => a.name === args.app) : undefined;
  if (typeof args.app !== 'string') problems.push(`${path}.app: expected the name of an app to deploy (configured: ${configured})`);
  else if (!app) problems.push(`${path}.app: "${args.app}" is not in apps (configured: ${configured})`);

  if (!isNonBlank(args.ref)) problems.push(`${path}.ref: expected a git ref or SHA to deploy, e.g. main`);

  if (args.stages !== undefined) {
    const stageNames = app ? ` (stages: ${app.stages.map((s) => s.name).join(', ')})` : '';
    if (!Array.isArray(args.stages) || !args.stages.every((s) => typeof s === 'string')) {
      problems.push(`${path}.stages: expected a list of stage names${stageNames}`);
    } else if (app) {
      args.stages.forEach((stage: string, i) => {
        if (!app.stages.some((s) => s.name === stage)) problems.push(`${path}.stages[${i}]: "${stage}" is not a stage of app "${app.name}"${stageNames}`);
      });
    }
  }

  if (!isNonBlank(args.startedBy)) problems.push(`${path}.startedBy: expected a name to record as who started the deploy, e.g. "schedule:${id}"`);

  if (args.smokeLevel !== undefined && !SMOKE_LEVELS.includes(args.smokeLevel)) {
    problems.push(`${path}.smokeLevel: expected ${SMOKE_LEVELS.map((l) => `"${l}"`).join(' or ')}, got ${JSON.stringify(args.smokeLevel)}`);
  }
  if (args.preApproved !== undefined && typeof args.preApproved !== 'boolean') {
    problems.push(`${path}.preApproved: expected true or false, got ${JSON.stringify(args.preApproved)}`);
  }
  if (args.skipPromotionCheck !== undefined && typeof args.skipPromotionCheck !== 'boolean') {
    problems.push(`${path}.skipPromotionCheck: expected true or false, got ${JSON.stringify(args.skipPromotionCheck)}`);
  }
  // Each scheduled run gets its own workflow id, so one link fixed here would point at none of them.
  if (args.runUrl !== undefined) problems.push(`${path}.runUrl: a schedule cannot link its runs: each gets its own workflow id; leave it out`);
  return problems;
}

function isNonBlank(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}
