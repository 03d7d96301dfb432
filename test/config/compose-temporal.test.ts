import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { schemaSetupSteps, TEMPORAL_DATABASES } from '../support/temporal-server-config.js';

/**
 * The Temporal part of docker-compose.temporal.yml, read as compose reads it (there is no Docker
 * engine here to run it): the passwords, the published addresses, the health check and the
 * schema job. test/deploy/compose-file.test.ts checks the rest against the code.
 */
const ROOT = resolve(import.meta.dirname, '../..');
const RAW = readFileSync(join(ROOT, 'docker-compose.temporal.yml'), 'utf8');
const BUILT_VERSION = /^TEMPORAL_SERVER_VERSION=v([\d.]+)$/m.exec(readFileSync(join(ROOT, 'scripts/build-temporal-server.sh'), 'utf8'))?.[1];
const PASSWORD = 'probe-password';

type Env = Record<string, string>;
interface Service {
  image?: string;
  environment?: Record<string, string | number>;
  ports?: string[];
  command?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  restart?: string;
}

/** Compose's interpolation as this file uses it: $$, ${VAR}, ${VAR:-default} and ${VAR:?message}, which fails without VAR. */
function interpolate(text: string, env: Env): string {
  return text.replace(/\$\$|\$\{(\w+)(?::([-?])([^}]*))?\}/g, (whole, name: string | undefined, op: string | undefined, arg: string | undefined) => {
    if (whole === '$$') return '$';
    const value = env[name!];
    if (value) return value;
    if (op === '?') throw new Error(`required variable ${name} is missing a value: ${arg}`);
    return op === '-' ? arg! : '';
  });
}

function servicesWith(env: Env): Record<string, Service> {
  return (parse(interpolate(RAW, env)) as { services: Record<string, Service> }).services;
}

const raw = (parse(RAW) as { services: Record<string, Service> }).services;
const services = servicesWith({ TEMPORAL_POSTGRES_PASSWORD: PASSWORD });
const serviceNamed = (what: string, match: (s: Service) => boolean) => {
  const found = Object.entries(services).find(([, s]) => match(s));
  if (!found) throw new Error(`no service ${what}`);
  return { name: found[0], ...found[1] };
};
const temporal = serviceNamed('runs the Temporal server', (s) => (s.image ?? '').startsWith('temporalio/server:'));
const schemaJob = serviceNamed('runs temporal-sql-tool', (s) => (s.command ?? []).join('\n').includes('temporal-sql-tool'));
const postgres = serviceNamed('runs PostgreSQL', (s) => (s.image ?? '').startsWith('postgres:'));
const env = (service: Service) => Object.fromEntries(Object.entries(service.environment ?? {}).map(([k, v]) => [k, String(v)]));

/** host address, published port and container port of each "[address:]published:target" entry. */
const published = (service: Service) =>
  (service.ports ?? []).map((port) => {
    const parts = port.split(':');
    return { address: parts.length === 3 ? parts[0] : '', published: Number(parts.at(-2)), target: Number(parts.at(-1)) };
  });

describe('docker-compose.temporal.yml: the production-style Temporal', () => {
  it('has no default password: every password is the one required variable, and compose refuses to start without it', () => {
    expect(() => interpolate(RAW, {})).toThrow(/required variable TEMPORAL_POSTGRES_PASSWORD is missing a value: set TEMPORAL_POSTGRES_PASSWORD/);
    const passwords = Object.entries(raw).flatMap(([name, s]) =>
      Object.entries(s.environment ?? {}).filter(([key]) => /PASSWORD|PWD/.test(key)).map(([key, value]) => [`${name}.${key}`, String(value)] as const),
    );
    expect(passwords.map(([where]) => where).sort()).toEqual(['postgresql.POSTGRES_PASSWORD', 'temporal-schema.SQL_PASSWORD', 'temporal.POSTGRES_PWD']);
    for (const [where, value] of passwords) expect(value, where).toMatch(/^\$\{TEMPORAL_POSTGRES_PASSWORD:\?[^}]+\}$/);
    expect(env(postgres).POSTGRES_PASSWORD).toBe(PASSWORD);
  });

  it('publishes every port on 127.0.0.1 unless OPS_PUBLISH_IP says otherwise, Temporal\'s frontend and metrics included', () => {
    const metricsPort = Number(env(temporal).PROMETHEUS_ENDPOINT!.split(':').at(-1));
    expect(published(temporal)).toEqual([
      { address: '127.0.0.1', published: 7233, target: 7233 },
      { address: '127.0.0.1', published: metricsPort, target: metricsPort },
    ]);
    const all = Object.entries(services).flatMap(([name, s]) => published(s).map((p) => [name, p.address]));
    expect(all.length).toBeGreaterThanOrEqual(4);
    for (const [name, address] of all) expect(address, name).toBe('127.0.0.1');

    const moved = servicesWith({ TEMPORAL_POSTGRES_PASSWORD: PASSWORD, OPS_PUBLISH_IP: '10.0.0.5' });
    expect(published(moved[temporal.name]!).map((p) => p.address)).toEqual(['10.0.0.5', '10.0.0.5']);
  });

  it('health-checks Temporal itself (the frontend\'s gRPC health), and starts the UI and the registrar once it is healthy', () => {
    const test = temporal.healthcheck!.test;
    expect(test.slice(0, 5)).toEqual(['CMD', 'temporal', 'operator', 'cluster', 'health']);
    expect(test[test.indexOf('--address') + 1]).toBe('127.0.0.1:7233');
    const dependents = Object.entries(services).filter(([, s]) => s.depends_on?.[temporal.name]);
    expect(dependents.map(([name]) => name).sort()).toEqual(['temporal-admin-tools', 'temporal-ui']);
    for (const [name, s] of dependents) expect(s.depends_on![temporal.name]!.condition, name).toBe('service_healthy');
  });

  it('runs the plain server image, at the version the cluster test builds, after a one-shot schema job (no auto-setup)', () => {
    expect(Object.values(services).some((s) => (s.image ?? '').includes('auto-setup'))).toBe(false);
    expect(BUILT_VERSION).toMatch(/^\d+\.\d+\.\d+$/);
    expect(temporal.image).toBe(`temporalio/server:${BUILT_VERSION}`);
    expect(schemaJob.image).toMatch(new RegExp(`^temporalio/admin-tools:${BUILT_VERSION!.replaceAll('.', '\\.')}-`));
    expect(temporal.depends_on).toEqual({ [schemaJob.name]: { condition: 'service_completed_successfully' } });
    expect(schemaJob.depends_on).toEqual({ [postgres.name]: { condition: 'service_healthy' } });
    expect(schemaJob.restart).toBe('no');
    expect([env(temporal).DB, env(schemaJob).SQL_PLUGIN]).toEqual(['postgres12', 'postgres12']);
    expect([env(temporal).DBNAME, env(temporal).VISIBILITY_DBNAME]).toEqual([TEMPORAL_DATABASES.default, TEMPORAL_DATABASES.visibility]);
    expect(env(schemaJob).SQL_HOST).toBe(postgres.name);
    expect(env(temporal).POSTGRES_SEEDS).toBe(postgres.name);
  });

  it('sets up both databases with the sql tool steps the cluster test runs, in order', () => {
    const toolLines = schemaJob.command!.join('\n').split('\n').map((line) => line.trim().split(/\s+/)).filter((words) => words[0] === 'temporal-sql-tool');
    const steps = Object.values(TEMPORAL_DATABASES).flatMap((database) => schemaSetupSteps(database));
    expect(toolLines).toHaveLength(steps.length);
    steps.forEach((step, i) => {
      // Flags the test does not need (--quiet, for a re-run's existing database) may sit between the step's words.
      const words = toolLines[i]!.filter((word) => step.includes(word));
      expect(words, toolLines[i]!.join(' ')).toEqual(step);
    });
  });
});
