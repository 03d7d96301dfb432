import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_POSTGRES_ROWS, seedDemoPostgres } from '../../src/local-servers/demo-data.js';
import { startPostgres, type LocalPostgres } from '../../src/local-servers/postgres-server.js';

const demo = { database: 'demo_app', readerUser: 'ops_reader', readerPassword: 'reader-pw-for-tests' };

async function query(server: LocalPostgres, user: string, password: string, sql: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ host: server.host, port: server.port, user, password, database: demo.database });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

async function rowCounts(server: LocalPostgres): Promise<Record<string, number>> {
  const sql = 'SELECT (SELECT count(*) FROM companies) AS companies, (SELECT count(*) FROM contacts) AS contacts, (SELECT count(*) FROM deals) AS deals';
  const row = (await query(server, server.adminUser, server.adminPassword, sql)).rows[0];
  return { companies: Number(row.companies), contacts: Number(row.contacts), deals: Number(row.deals) };
}

describe('startPostgres', () => {
  let dir: string;
  let dataDir: string;
  let server: LocalPostgres | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ops-pg-'));
    // As root the server runs as the postgres OS user, which must be able to traverse this dir.
    await chmod(dir, 0o755);
    dataDir = join(dir, 'pg');
  });

  afterAll(async () => {
    try {
      await server?.stop();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('initialises a cluster, seeds the demo CRM and serves it over TCP', async () => {
    const started = Date.now();
    server = await startPostgres({ dataDir });
    console.info(`postgres first start (initdb included): ${Date.now() - started} ms`);
    await seedDemoPostgres(server, demo);
    expect(await rowCounts(server)).toEqual(DEMO_POSTGRES_ROWS);
    const pipeline = await query(server, server.adminUser, server.adminPassword, 'SELECT sum(deals)::int AS open FROM open_pipeline');
    expect(pipeline.rows[0].open).toBe((DEMO_POSTGRES_ROWS.deals * 3) / 5);
  });

  it('lets the reader SELECT but not INSERT', async () => {
    const rows = await query(server!, demo.readerUser, demo.readerPassword, 'SELECT count(*)::int AS n FROM deals');
    expect(rows.rows[0].n).toBe(DEMO_POSTGRES_ROWS.deals);
    const insert = query(server!, demo.readerUser, demo.readerPassword, "INSERT INTO companies (name, industry, country, created_at) VALUES ('x', 'x', 'DE', now())");
    await expect(insert).rejects.toMatchObject({ code: '42501' });
  });

  it('lets the reader take a full pg_dump', async () => {
    const dump = await execa(join(server!.binDir, 'pg_dump'), ['--host', server!.host, '--port', String(server!.port), '--username', demo.readerUser, demo.database], {
      env: { PGPASSWORD: demo.readerPassword },
    });
    expect(dump.stdout).toContain('CREATE VIEW public.open_pipeline');
    expect(dump.stdout).toContain('COPY public.deals');
  });

  it('restarts on the same dataDir with the same data and password', async () => {
    const first = server!;
    await first.stop();
    const started = Date.now();
    server = await startPostgres({ dataDir });
    console.info(`postgres restart: ${Date.now() - started} ms`);
    expect(server.adminPassword).toBe(first.adminPassword);
    await seedDemoPostgres(server, demo);
    expect(await rowCounts(server)).toEqual(DEMO_POSTGRES_ROWS);
  });
});
