import { z } from 'zod';
import { DOTENV_KEY, DOTENV_KEY_RULE } from '../core/dotenv.js';
import { WEBHOOK_EVENTS } from '../core/webhook-events.js';
import { parseSshHost } from './location.js';
import type { SchemaPrimitives } from './schema-primitives.js';

/** The deploy pipeline's part of the config: hosts, apps with their stages, and notifications. */
export function deploySchemas({ text, secret, name, parsedFrom }: SchemaPrimitives) {
  const host = z.strictObject({
    ssh: parsedFrom(text, parseSshHost).describe('ssh://[user@]host[:port]; keys, known_hosts and ProxyJump come from ssh config'),
  });

  const health = z.strictObject({
    url: z
      .union([text, z.array(text).min(1)])
      .transform((url) => (Array.isArray(url) ? url : [url]))
      .describe('A URL or a list of URLs, polled from the orchestrator; healthy only when every one passes'),
    expectStatus: z.number().int().min(100).max(599).default(200),
    bodyMatch: z.string().optional().describe('A regular expression the body must match'),
    timeoutSeconds: z.number().positive().default(120).describe('Give up (and roll back) after this long'),
    intervalSeconds: z.number().positive().default(2),
    stableSeconds: z.number().min(0).default(10).describe('After the first success, keep checking this long'),
  });

  // Checked here, not only when the .env is rendered: that is after the sync, as a retried plain error without a config path.
  const envKey = z.string().regex(DOTENV_KEY, DOTENV_KEY_RULE);

  // A host's own health check: its URLs, and any setting that differs from the stage's health (no defaults here: the stage's apply).
  const hostHealth = z.strictObject({
    url: health.shape.url,
    expectStatus: z.number().int().min(100).max(599).optional(),
    bodyMatch: z.string().optional(),
    timeoutSeconds: z.number().positive().optional(),
    intervalSeconds: z.number().positive().optional(),
    stableSeconds: z.number().min(0).optional(),
  });

  // `- web1` is short for `- { host: web1 }`: one shape, so an error points at the entry's own key.
  const stageHost = z.preprocess(
    (entry) => (typeof entry === 'string' ? { host: entry } : entry),
    z.strictObject({
      host: name.describe('A key of hosts:'),
      path: text.optional().describe('Deploy root on this host, when it differs from the stage\'s'),
      env: z.record(envKey, text).default({}).describe('Values merged over the stage\'s env in this host\'s release .env'),
      health: hostHealth.optional().describe('This host\'s health URL(s) and settings, merged over the stage\'s health'),
    }),
  );

  const stage = z.strictObject({
    name,
    host: name.optional().describe('A key of hosts: (or hosts: for several)'),
    hosts: z.array(stageHost).min(1).optional().describe('Several hosts: keys of hosts:, or { host, path, env, health } entries'),
    rollout: z
      .strictObject({ parallel: z.number().int().min(1).default(1).describe('Hosts switched at a time, each followed by its own health gate') })
      .default({ parallel: 1 }),
    baseUrl: text.describe('Given to smoke tests as BASE_URL'),
    path: text.optional().describe('Deploy root on this stage\'s host, when it differs from the app\'s path'),
    health,
    env: z.record(envKey, text).default({}).describe('Plain values rendered into the release .env'),
    secrets: z.record(envKey, secret).default({}).describe('Secret values rendered into the release .env (${ENV_VAR} or file:path)'),
  });

  const app = z.strictObject({
    name,
    repository: text.describe('The git repository on the orchestrator; refs resolve to commit SHAs here'),
    path: text.describe('Deploy root on every host: releases/<sha>, current -> releases/<sha>, releases.log'),
    exclude: z.array(z.string()).default([]).describe('rsync excludes besides .git'),
    keepReleases: z.number().int().min(2).default(5).describe('Release dirs kept per host (current and previous are always kept)'),
    compose: z
      .strictObject({
        files: z.array(z.string()).default(['docker-compose.yml']),
        project: z
          .string()
          .regex(/^[a-z0-9][a-z0-9_-]*$/, 'expected a compose project name (lower-case, digits, - and _)')
          .optional()
          .describe('Default <app>-<stage>: stable across releases, so up replaces the previous release\'s containers'),
        switch: z.enum(['up', 'down-up']).default('up').describe('up: compose up -d --remove-orphans; down-up: compose down in the old release first'),
      })
      .default({ files: ['docker-compose.yml'], switch: 'up' }),
    build: z
      .strictObject({
        once: z
          .boolean()
          .default(false)
          .describe('Build on the first stage of the run only, tag the images by SHA, and ship them to later stages\' hosts (docker save | docker load), where up runs with --no-build'),
        registry: z
          .string()
          .regex(/^[a-z0-9][a-z0-9.-]*(:[0-9]+)?(\/[a-z0-9][a-z0-9._-]*)*$/, 'expected a registry host and optional path, e.g. registry.example.com/team')
          .optional()
          .describe('With once: the first stage\'s host pushes the images as <registry>/<app>-<service>:<sha12> and later stages\' hosts pull them, instead of docker save | docker load. Each host must have run docker login itself: ops never handles registry credentials'),
      })
      .default({ once: false }),
    stages: z.array(stage).min(1),
    approval: z
      .strictObject({
        before: z.array(name).default([]).describe('Stages that wait for an approve/reject first'),
        timeoutMinutes: z.number().positive().default(60).describe('No answer in time counts as a reject'),
      })
      .default({ before: [], timeoutMinutes: 60 }),
    migrate: z
      .strictObject({
        command: z.array(z.string()).min(1).describe('argv run on the stage\'s host in the new release dir before the switch, e.g. [docker, compose, run, --rm, app, php, artisan, migrate, --force]'),
        database: name.describe('The backup target (databases[].name) the migration changes'),
        when: z
          .strictObject({ paths: z.array(z.string().min(1)).min(1).describe('Globs (migrations/**); a change to a matching path since the running release runs the migration') })
          .optional()
          .describe('Without it, only `ops deploy --migrate` runs the migration'),
        keepDays: z.number().int().min(1).default(7).describe('Days retention keeps the pre-deploy backup of the database'),
      })
      .optional()
      .describe('A database migration the deploy runs when asked or when its paths changed'),
    smoke: z
      .strictObject({
        smoke: z.array(z.string()).min(1).optional().describe('argv of the quick E2E suite, run on the orchestrator'),
        standard: z.array(z.string()).min(1).optional().describe('argv of the fuller suite'),
        timeoutMinutes: z.number().positive().default(15),
      })
      .default({ timeoutMinutes: 15 }),
  });

  const notify = z
    .strictObject({
      slack: z
        .strictObject({
          webhookUrl: secret.describe('Incoming webhook URL: a secret (${ENV_VAR} or file:path)'),
          deploySuccess: z.boolean().default(false).describe('Also post successful deploys'),
        })
        .optional(),
      rateLimitMinutes: z.number().min(0).default(5).describe('Alerts with the same kind and subject within this long of the last one sent are counted, not sent'),
      email: z
        .strictObject({
          smtp: z.strictObject({
            host: text.describe('SMTP server host name'),
            port: z.number().int().min(1).max(65535).default(587),
            secure: z.boolean().default(false).describe('TLS from the first byte (port 465); otherwise STARTTLS when the server offers it'),
            user: text.optional().describe('Login user, when the server wants one'),
            password: secret.optional().describe('Login password: a secret (${ENV_VAR} or file:path)'),
          }),
          from: text.describe('Sender address, e.g. "ops <ops@example.com>"'),
          to: z.array(text).min(1).describe('Recipient addresses'),
        })
        .optional()
        .describe('Fallback for alerts when Slack cannot be reached'),
      webhooks: z
        .array(
          z.strictObject({
            url: text.refine(isHttpUrl, 'expected an http:// or https:// URL').describe('Receives a signed JSON POST per subscribed event'),
            events: z.array(z.enum(WEBHOOK_EVENTS)).min(1).describe(`Any of ${WEBHOOK_EVENTS.join(', ')}`),
            secret: secret.describe('HMAC-SHA256 key of the X-Ops-Signature header: a secret (${ENV_VAR} or file:path)'),
          }),
        )
        .default([])
        .describe('Systems told about deploys, failed backups and drills, and finished restores'),
    })
    .default({ rateLimitMinutes: 5, webhooks: [] });

  return {
    hosts: z.record(name, host).default({}),
    apps: z.array(app).default([]),
    notify,
  };
}

function isHttpUrl(value: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}
