import { z } from 'zod';
import { deploySchemas } from './deploy-schema.js';
import { encryptionSchema } from './encryption-schema.js';
import { offsiteSchema } from './offsite-schema.js';
import { scheduleSchema } from './schedule-schema.js';
import { schemaPrimitives, type SchemaContext } from './schema-primitives.js';

export type { SchemaContext } from './schema-primitives.js';

/**
 * The schema of ops.config.yaml. Every key has a type, a default where one makes sense,
 * and a description; unknown keys are rejected. Strings may use ${ENV_VAR}; secret fields
 * take only ${ENV_VAR} or file:path and become Secret values that never print.
 */
export function configSchema(ctx: SchemaContext) {
  const primitives = schemaPrimitives(ctx);
  const { text, secret, location, databaseUrl, sshAddress, name } = primitives;
  const deploy = deploySchemas(primitives);
  const hours = (fallback: number) => z.number().positive().default(fallback);

  const assertion = z.strictObject({
    name: z.string().optional().describe('Label shown in the verify record; defaults to the SQL'),
    sql: z.string().min(1).describe('A query returning one numeric value, run against the restored copy'),
    min: z.number().optional().describe('The value must be at least this'),
    max: z.number().optional().describe('The value must be at most this'),
    equals: z.number().optional().describe('The value must equal this'),
  });

  const serviceExec = z.strictObject({
    host: sshAddress.describe('ssh://[user@]host[:port] of the host running the compose project'),
    project: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'expected a compose project name: lower-case letters, digits, - or _').describe('docker compose -p'),
    service: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, 'expected a compose service name: letters, digits, ., - or _').describe('The service whose container has the database tools'),
  });

  const database = z.strictObject({
    name: name.describe('Target name: used in backup ids, paths, reports and metrics labels'),
    url: databaseUrl(true).describe('postgres://user@host:port/db or mysql://user@host:port/db, no password'),
    password: secret.optional().describe('${ENV_VAR} or file:path'),
    assertions: z.array(assertion).default([]).describe('Extra checks run against the verify-restored copy'),
    via: sshAddress.optional().describe('ssh://[user@]host[:port]: reach the database through an ssh local forward from this host; url names it as that host sees it'),
    exec: serviceExec.optional().describe('Run the dump tool inside a compose service on a remote host; url names the database as the service sees it'),
  });

  const files = z.strictObject({
    name: name.describe('Target name'),
    source: location.describe('Local directory or ssh://user@host:port/path to snapshot'),
    exclude: z.array(z.string()).default([]).describe('rsync --exclude patterns'),
  });

  const verifyServer = z.strictObject({
    url: databaseUrl(false).describe('Admin connection able to CREATE and DROP databases'),
    password: secret.optional(),
  });

  const restoreServer = z.strictObject({
    url: databaseUrl(false).describe('postgres://user@host:port or mysql://user@host:port: a user able to create databases there, no password'),
    password: secret.optional().describe('${ENV_VAR} or file:path, resolved on the worker'),
  });

  const ssh = z
    .strictObject({
      identityFile: text.optional().describe('Private key for every ssh connection ops makes'),
      knownHostsFile: text.optional().describe('known_hosts file; host key checking stays on'),
      options: z.array(z.string()).default([]).describe('Extra -o options, e.g. ProxyJump=bastion'),
    })
    .default({ options: [] });

  return z.strictObject({
    timeZone: z
      .string()
      .refine(isTimeZone, 'expected an IANA time zone such as Europe/Prague')
      .default('Europe/Prague')
      .describe('Calendar days, weeks and months for retention and schedules are counted in this zone'),
    stateDir: text.default('.ops').describe('Where ops keeps its own state (dev server db, demo servers, alert state)'),
    repository: text.default('.ops/backups').describe('The local backup repository: artifacts, manifests, verify records'),
    reports: text.default('.ops/reports').describe('Where Markdown reports are written'),
    ssh,
    notify: deploy.notify,
    hosts: deploy.hosts,
    apps: deploy.apps,
    databases: z.array(database).default([]),
    files: z.array(files).default([]),
    backup: z
      .strictObject({
        concurrency: z.number().int().min(1).max(16).default(2).describe('Targets processed at once'),
        mysqlCompression: z.enum(['zstd', 'gzip']).default('zstd'),
        offsite: offsiteSchema(ctx, primitives),
        encryption: encryptionSchema(primitives),
        retention: z
          .strictObject({
            daily: z.number().int().min(0).default(7),
            weekly: z.number().int().min(0).default(4),
            monthly: z.number().int().min(0).default(12),
            keepLast: z
              .number()
              .int()
              .min(0)
              .default(3)
              .describe('Also keep the newest N backups that did not fail verify, scheduled or manual (restic\'s --keep-last)'),
          })
          .default({ daily: 7, weekly: 4, monthly: 12, keepLast: 3 }),
        verify: z
          .strictObject({
            postgres: verifyServer.optional().describe('Scratch server for PostgreSQL verify-restores'),
            mysql: verifyServer.optional().describe('Scratch server for MySQL/MariaDB verify-restores'),
            dropStaleAfterHours: hours(6).describe('verify_* databases whose verify is gone are dropped at once; one older than this is dropped even while its lock is held (a host that vanished)'),
          })
          .default({ dropStaleAfterHours: 6 }),
        dumpTimeoutMinutes: z.number().positive().default(240).describe('Time limit of one dump attempt; a step that runs longer is killed and retried'),
        unreachableRetryMinutes: z
          .number()
          .min(0)
          .default(15)
          .describe('How long a dump keeps retrying, with backoff, a database it cannot reach (refused, timed out, server restarting) before the target fails; 0 tries once'),
      })
      .default({
        concurrency: 2,
        mysqlCompression: 'zstd',
        offsite: [],
        retention: { daily: 7, weekly: 4, monthly: 12, keepLast: 3 },
        verify: { dropStaleAfterHours: 6 },
        dumpTimeoutMinutes: 240,
        unreachableRetryMinutes: 15,
      }),
    restore: z
      .strictObject({
        servers: z
          .record(name, restoreServer)
          .default({})
          .describe('Servers `ops restore --server NAME` restores onto instead of the target\'s own (e.g. a fresh one after the old died)'),
      })
      .default({ servers: {} }),
    health: z
      .strictObject({
        rpoHours: z.number().positive().default(24).describe('FAIL when the newest valid dump is older than this'),
        verifyMaxAgeHours: z.number().positive().default(48).describe('WARN when the newest passed verify is older than this'),
        successRateGoal: z.number().min(0).max(1).default(0.99).describe('WARN below this 7-day backup success rate'),
        consecutiveVerifyFailures: z.number().int().min(1).default(2).describe('FAIL (and alert) at this many verify failures in a row'),
        storageCapGiB: z.number().positive().optional().describe('Per-target storage cap: WARN above 90%, FAIL above'),
      })
      .default({ rpoHours: 24, verifyMaxAgeHours: 48, successRateGoal: 0.99, consecutiveVerifyFailures: 2 }),
    metrics: z
      .strictObject({
        port: z.number().int().min(0).max(65535).default(9464),
        prefix: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/).default('ops_'),
      })
      .default({ port: 9464, prefix: 'ops_' }),
    demo: z
      .strictObject({
        postgres: z.boolean().default(false).describe('`ops up` starts a local demo PostgreSQL with sample data'),
        mariadb: z.boolean().default(false).describe('`ops up` starts a local demo MariaDB with sample data'),
      })
      .default({ postgres: false, mariadb: false }),
    schedules: scheduleSchema(primitives),
  });
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export type OpsConfigParsed = z.output<ReturnType<typeof configSchema>>;
