import { stringify } from 'yaml';

export interface TemporalServerPorts {
  frontend: number;
  frontendHttp: number;
  frontendMembership: number;
  history: number;
  historyMembership: number;
  matching: number;
  matchingMembership: number;
  worker: number;
  workerMembership: number;
  metrics: number;
}

export interface TemporalServerConfigInput {
  ports: TemporalServerPorts;
  postgres: { host: string; port: number; user: string };
  /** The environment variable the server reads the database password from. */
  passwordVar: string;
}

/** The databases the SQL tool creates and the server uses: one for history, one for visibility. */
export const TEMPORAL_DATABASES = { default: 'temporal', visibility: 'temporal_visibility' } as const;

type TemporalDatabase = (typeof TEMPORAL_DATABASES)[keyof typeof TEMPORAL_DATABASES];

/** The schemas temporal-sql-tool carries inside it, those of its own server version. */
const EMBEDDED_SCHEMAS: Record<TemporalDatabase, string> = { temporal: 'postgresql/v12/temporal', temporal_visibility: 'postgresql/v12/visibility' };

/**
 * The temporal-sql-tool runs that set up one database, schema and all: argv after the connection
 * flags. The cluster test runs them; the compose file's schema job runs the same ones.
 */
export function schemaSetupSteps(database: TemporalDatabase): string[][] {
  return [
    ['--database', database, 'create-database'],
    // Version 0.0 is the empty schema with the tool's version table; update-schema then applies every versioned step.
    ['--database', database, 'setup-schema', '--version', '0.0'],
    ['--database', database, 'update-schema', '--schema-name', EMBEDDED_SCHEMAS[database]],
  ];
}

/**
 * A server config for one host running all four services on PostgreSQL (Temporal's own
 * config/development-postgres12.yaml, less archival). The first comment line turns on the
 * server's templating, so the password is read from the environment when the server starts and is
 * never written to disk.
 */
export function temporalServerConfig(input: TemporalServerConfigInput): string {
  const { ports, postgres } = input;
  const datastore = (databaseName: string, maxConns: number) => ({
    sql: {
      pluginName: 'postgres12',
      databaseName,
      connectAddr: `${postgres.host}:${postgres.port}`,
      connectProtocol: 'tcp',
      user: postgres.user,
      password: `{{ env "${input.passwordVar}" }}`,
      maxConns,
      maxIdleConns: maxConns,
      maxConnLifetime: '1h',
    },
  });
  const rpc = (grpcPort: number, membershipPort: number, extra: Record<string, number> = {}) => ({
    rpc: { grpcPort, membershipPort, bindOnLocalHost: true, ...extra },
  });
  const doc = {
    log: { stdout: true, level: 'warn' },
    persistence: {
      defaultStore: 'default',
      visibilityStore: 'visibility',
      numHistoryShards: 4,
      datastores: { default: datastore(TEMPORAL_DATABASES.default, 20), visibility: datastore(TEMPORAL_DATABASES.visibility, 4) },
    },
    global: {
      membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' },
      metrics: { prometheus: { framework: 'tally', timerType: 'histogram', listenAddress: `127.0.0.1:${ports.metrics}` } },
    },
    services: {
      frontend: rpc(ports.frontend, ports.frontendMembership, { httpPort: ports.frontendHttp }),
      history: rpc(ports.history, ports.historyMembership),
      matching: rpc(ports.matching, ports.matchingMembership),
      worker: rpc(ports.worker, ports.workerMembership),
    },
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: {
        active: { enabled: true, initialFailoverVersion: 1, rpcName: 'frontend', rpcAddress: `127.0.0.1:${ports.frontend}` },
      },
    },
    dcRedirectionPolicy: { policy: 'noop' },
  };
  return `# enable-template\n${stringify(doc)}`;
}
