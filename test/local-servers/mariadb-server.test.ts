import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { createConnection, type RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_MARIADB_ROWS, seedDemoMariadb } from '../../src/local-servers/demo-data.js';
import { startMariadb, type LocalMariadb } from '../../src/local-servers/mariadb-server.js';

const demo = { database: 'demo_shop', readerUser: 'ops_reader', readerPassword: 'reader-pw-for-tests' };

async function query(server: LocalMariadb, user: string, password: string, sql: string): Promise<RowDataPacket[]> {
  const db = await createConnection({ host: server.host, port: server.port, user, password, database: demo.database });
  try {
    const [rows] = await db.query<RowDataPacket[]>(sql);
    return rows;
  } finally {
    await db.end();
  }
}

async function rowCounts(server: LocalMariadb): Promise<Record<string, number>> {
  const sql = `SELECT (SELECT COUNT(*) FROM customers) AS customers, (SELECT COUNT(*) FROM orders) AS orders,
    (SELECT COUNT(*) FROM order_items) AS order_items`;
  const [row] = await query(server, server.adminUser, server.adminPassword, sql);
  return { customers: Number(row!.customers), orders: Number(row!.orders), order_items: Number(row!.order_items) };
}

describe('startMariadb', () => {
  let dir: string;
  let dataDir: string;
  let server: LocalMariadb | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ops-mariadb-'));
    dataDir = join(dir, 'mariadb');
  });

  afterAll(async () => {
    try {
      await server?.stop();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('installs a server, seeds the demo shop and serves it over TCP', async () => {
    const started = Date.now();
    server = await startMariadb({ dataDir });
    console.info(`mariadb first start (install included): ${Date.now() - started} ms`);
    await seedDemoMariadb(server, demo);
    expect(await rowCounts(server)).toEqual(DEMO_MARIADB_ROWS);
  });

  it('keeps order totals through the trigger and exposes them through the function and view', async () => {
    const sql = `SELECT (SELECT SUM(total_cents) FROM orders) AS totals,
      (SELECT SUM(quantity * unit_price_cents) FROM order_items) AS items,
      (SELECT SUM(customer_lifetime_cents(id)) FROM customers) AS lifetime,
      (SELECT SUM(revenue_cents) FROM revenue_by_country) AS revenue`;
    const [row] = await query(server!, server!.adminUser, server!.adminPassword, sql);
    expect(Number(row!.totals)).toBeGreaterThan(0);
    expect(Number(row!.totals)).toBe(Number(row!.items));
    expect(Number(row!.lifetime)).toBe(Number(row!.revenue));
  });

  it('lets the reader SELECT but not INSERT', async () => {
    const [row] = await query(server!, demo.readerUser, demo.readerPassword, 'SELECT COUNT(*) AS n FROM orders');
    expect(Number(row!.n)).toBe(DEMO_MARIADB_ROWS.orders);
    const insert = query(server!, demo.readerUser, demo.readerPassword, "INSERT INTO customers (email, full_name, country, created_at) VALUES ('x@x', 'x', 'DE', NOW())");
    await expect(insert).rejects.toMatchObject({ code: 'ER_TABLEACCESS_DENIED_ERROR' });
  });

  it('lets the reader take a mysqldump with routines, triggers and events', async () => {
    const args = ['--host', server!.host, '--port', String(server!.port), '--user', demo.readerUser];
    const dump = await execa('mysqldump', [...args, '--single-transaction', '--routines', '--triggers', '--events', demo.database], {
      env: { MYSQL_PWD: demo.readerPassword },
    });
    expect(dump.stdout).toMatch(/TRIGGER `?order_items_add_to_total\b/);
    expect(dump.stdout).toMatch(/FUNCTION `?customer_lifetime_cents\b/);
    expect(dump.stdout).toMatch(/EVENT `?purge_old_pending_orders\b/);
    expect(dump.stdout).toMatch(/VIEW `?revenue_by_country\b/);
  });

  it('restarts on the same dataDir with the same data and password', async () => {
    const first = server!;
    await first.stop();
    const started = Date.now();
    server = await startMariadb({ dataDir });
    console.info(`mariadb restart: ${Date.now() - started} ms`);
    expect(server.adminPassword).toBe(first.adminPassword);
    await seedDemoMariadb(server, demo);
    expect(await rowCounts(server)).toEqual(DEMO_MARIADB_ROWS);
  });
});
