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
];
