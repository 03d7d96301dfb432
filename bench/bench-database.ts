import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import type { DatabaseAddress } from '../src/config/database-url.js';
import { createPostgresDatabase, grantPostgresReader } from '../src/local-servers/demo-data.js';
import { startPostgres, type LocalPostgres } from '../src/local-servers/postgres-server.js';
import { postmasterPid, treeCpuSeconds } from './cpu-meter.js';
import type { Teardown } from './teardown.js';

export interface BenchDatabase {
  server: LocalPostgres;
  name: string;
  reader: DatabaseAddress;
  readerPassword: string;
  admin: DatabaseAddress;
  serverVersion: string;
  sizeBytes: number;
  rows: Record<string, number>;
  /** CPU seconds used so far by the whole cluster (postmaster, backends, background workers). */
  serverCpuSeconds(): number;
}

const DATABASE = 'bench';
const READER = 'bench_reader';
/** Customers per fill round; with their orders, order lines and events a round adds about 6 MB. */
const CUSTOMERS_PER_ROUND = 1000;

const SCHEMA = `
CREATE TABLE customers (id bigint PRIMARY KEY, email text NOT NULL, full_name text NOT NULL, country char(2) NOT NULL,
  signed_up_at timestamptz NOT NULL, lifetime_value numeric(12, 2) NOT NULL, notes text);
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL, status text NOT NULL, currency char(3) NOT NULL,
  total numeric(12, 2) NOT NULL, ordered_at timestamptz NOT NULL, shipped_at timestamptz, shipping_address text NOT NULL);
CREATE TABLE order_items (order_id bigint NOT NULL, line_no smallint NOT NULL, sku text NOT NULL, quantity integer NOT NULL,
  unit_price numeric(10, 2) NOT NULL, PRIMARY KEY (order_id, line_no));
CREATE TABLE events (id bigint PRIMARY KEY, customer_id bigint NOT NULL, kind text NOT NULL, occurred_at timestamptz NOT NULL,
  payload jsonb NOT NULL);
CREATE INDEX orders_customer_id ON orders (customer_id);
CREATE INDEX events_customer_occurred ON events (customer_id, occurred_at);
`;

// Each statement takes the round's customer id range [$1, $2]; orders, lines and events hang off it.
const FILL_ROUND = [
  `INSERT INTO customers (id, email, full_name, country, signed_up_at, lifetime_value, notes)
   SELECT g, 'customer' || g || '@' || (ARRAY['example.com', 'mail.example.org', 'corp.example.net'])[1 + g % 3],
          (ARRAY['Ada', 'Grace', 'Linus', 'Ken', 'Barbara', 'Edsger', 'Margaret', 'Dennis'])[1 + g % 8] || ' ' ||
          (ARRAY['Lovelace', 'Hopper', 'Torvalds', 'Thompson', 'Liskov', 'Dijkstra', 'Hamilton', 'Ritchie'])[1 + (g / 8) % 8],
          (ARRAY['DE', 'FR', 'US', 'GB', 'NL', 'SE', 'CZ', 'PL'])[1 + (g * 7) % 8],
          timestamptz '2018-01-01' + g * interval '97 seconds',
          round((random() * 25000)::numeric, 2),
          CASE WHEN g % 4 = 0 THEN 'Prefers ' || (ARRAY['email', 'phone', 'post'])[1 + g % 3] || '; account ref ' || md5(g::text) END
   FROM generate_series($1::bigint, $2::bigint) g`,
  `INSERT INTO orders (id, customer_id, status, currency, total, ordered_at, shipped_at, shipping_address)
   SELECT o, o / 4, (ARRAY['pending', 'paid', 'shipped', 'delivered', 'cancelled', 'refunded'])[1 + o % 6],
          (ARRAY['EUR', 'USD', 'GBP', 'CZK'])[1 + (o / 4) % 4],
          round((5 + random() * 995)::numeric, 2), t.ordered_at,
          CASE WHEN o % 6 IN (2, 3) THEN t.ordered_at + (1 + o % 5) * interval '1 day' + (o % 86400) * interval '1 second' END,
          (1 + o % 250) || ' ' || (ARRAY['Main Street', 'High Street', 'Station Road', 'Park Avenue', 'Church Lane', 'Mill Road'])[1 + o % 6]
            || ', ' || upper(substr(md5(o::text), 1, 5)) || ' '
            || (ARRAY['Prague', 'Berlin', 'Paris', 'London', 'Amsterdam', 'Stockholm', 'Warsaw', 'Boston'])[1 + (o / 4) % 8]
   FROM generate_series($1::bigint * 4, $2::bigint * 4 + 3) o
   CROSS JOIN LATERAL (SELECT timestamptz '2021-01-01' + o * interval '41 seconds' AS ordered_at) t`,
  `INSERT INTO order_items (order_id, line_no, sku, quantity, unit_price)
   SELECT o, l, 'SKU-' || lpad(((o * 7 + l * 13) % 20000)::text, 5, '0'), 1 + (o + l) % 5, round((0.5 + random() * 199)::numeric, 2)
   FROM generate_series($1::bigint * 4, $2::bigint * 4 + 3) o CROSS JOIN generate_series(1, 3) l`,
  `INSERT INTO events (id, customer_id, kind, occurred_at, payload)
   SELECT e, e / 10, k.kind, timestamptz '2022-01-01' + e * interval '9 seconds',
          jsonb_build_object('session', md5(e::text), 'path', '/' || k.kind || '/' || (e % 977),
            'ip', '10.' || (e % 256) || '.' || (e / 256 % 256) || '.' || (e / 65536 % 256),
            'user_agent', (ARRAY['Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
                                 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 Version/17.4 Safari/605.1.15',
                                 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36'])[1 + e % 3],
            'duration_ms', (random() * 5000)::int)
   FROM generate_series($1::bigint * 10, $2::bigint * 10 + 9) e
   CROSS JOIN LATERAL (SELECT (ARRAY['page_view', 'search', 'add_to_cart', 'checkout', 'login', 'logout'])[1 + e % 6] AS kind) k`,
];

// Foreign keys go on after the fill: one validating scan each instead of a trigger per inserted row.
const FINISH = `
ALTER TABLE orders ADD FOREIGN KEY (customer_id) REFERENCES customers (id);
ALTER TABLE order_items ADD FOREIGN KEY (order_id) REFERENCES orders (id);
ALTER TABLE events ADD FOREIGN KEY (customer_id) REFERENCES customers (id);
CREATE VIEW revenue_by_country AS
  SELECT c.country, o.currency, count(*) AS orders, sum(o.total) AS revenue
  FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.status NOT IN ('cancelled', 'refunded') GROUP BY 1, 2;
`;

/**
 * A throwaway PostgreSQL under <root>/pg (stopped by `teardown`) with an empty `database`, and an
 * admin client connected to it with synchronous_commit off: where every bench fills its data.
 */
export async function startBenchPostgres(root: string, database: string, teardown: Teardown, log: (line: string) => void): Promise<{ server: LocalPostgres; client: pg.Client }> {
  const server = await startPostgres({ dataDir: join(root, 'pg'), log });
  teardown.defer('stop PostgreSQL', () => server.stop());
  await createPostgresDatabase(server, database);
  const client = new pg.Client({ host: server.host, port: server.port, user: server.adminUser, password: server.adminPassword, database });
  await client.connect();
  await client.query('SET synchronous_commit = off');
  return { server, client };
}

/**
 * A throwaway PostgreSQL under `root` with one database filled to about `targetBytes`, in rounds
 * of INSERT … SELECT generate_series so neither side holds much in memory, and a read-only role.
 */
export async function createBenchDatabase(root: string, targetBytes: number, teardown: Teardown, log: (line: string) => void): Promise<BenchDatabase> {
  const { server, client } = await startBenchPostgres(root, DATABASE, teardown, log);
  try {
    await client.query(SCHEMA);
    const started = Date.now();
    let size = await databaseSize(client);
    let nextReport = targetBytes / 10;
    for (let first = 1; size < targetBytes; first += CUSTOMERS_PER_ROUND) {
      await client.query('BEGIN');
      for (const statement of FILL_ROUND) await client.query(statement, [first, first + CUSTOMERS_PER_ROUND - 1]);
      await client.query('COMMIT');
      size = await databaseSize(client);
      if (size >= nextReport) {
        log(`filled ${mb(size)} of ${mb(targetBytes)} MB (${((Date.now() - started) / 1000).toFixed(0)} s)`);
        nextReport += targetBytes / 10;
      }
    }
    await client.query(FINISH);
    // Set hint bits and freeze now, so neither the first dump nor a later autovacuum rewrites pages mid-measurement.
    await client.query('VACUUM (FREEZE, ANALYZE)');
    await client.query('CHECKPOINT');
    const rows: Record<string, number> = {};
    for (const table of ['customers', 'orders', 'order_items', 'events']) {
      rows[table] = Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]!.n);
    }
    const sizeBytes = await databaseSize(client);
    const serverVersion = (await client.query<{ server_version: string }>('SHOW server_version')).rows[0]!.server_version;
    log(`database ${DATABASE}: ${mb(sizeBytes)} MB in ${((Date.now() - started) / 1000).toFixed(0)} s`);

    const readerPassword = randomBytes(12).toString('hex');
    await grantPostgresReader(server, READER, readerPassword, DATABASE);
    const address = { engine: 'postgres' as const, host: server.host, port: server.port };
    return {
      server,
      name: DATABASE,
      reader: { ...address, user: READER, database: DATABASE },
      readerPassword,
      admin: { ...address, user: server.adminUser, database: 'postgres' },
      serverVersion,
      sizeBytes,
      rows,
      serverCpuSeconds: () => treeCpuSeconds(postmasterPid(server.dataDir)),
    };
  } finally {
    await client.end();
  }
}

async function databaseSize(client: pg.Client): Promise<number> {
  return Number((await client.query<{ size: string }>('SELECT pg_database_size(current_database()) AS size')).rows[0]!.size);
}

const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(0);
