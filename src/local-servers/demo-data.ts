import pg from 'pg';
import { createConnection, escape, escapeId, type Connection, type RowDataPacket } from 'mysql2/promise';
import { PreconditionFailed } from '../core/errors.js';

/** What the helpers need from a server: LocalPostgres and LocalMariadb both fit. */
export interface AdminLogin {
  host: string;
  port: number;
  adminUser: string;
  adminPassword: string;
}

export interface DemoOptions {
  database: string;
  readerUser: string;
  readerPassword: string;
}

export const DEMO_POSTGRES_ROWS = { companies: 500, contacts: 2000, deals: 3000 } as const;
export const DEMO_MARIADB_ROWS = { customers: 1000, orders: 3000, order_items: 9000 } as const;

async function withPostgres<T>(server: AdminLogin, database: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ host: server.host, port: server.port, user: server.adminUser, password: server.adminPassword, database });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

async function withMariadb<T>(server: AdminLogin, database: string | undefined, use: (db: Connection) => Promise<T>): Promise<T> {
  const db = await createConnection({ host: server.host, port: server.port, user: server.adminUser, password: server.adminPassword, database });
  try {
    return await use(db);
  } finally {
    await db.end();
  }
}

/** Create the database unless it exists (PostgreSQL has no CREATE DATABASE IF NOT EXISTS). */
export async function createPostgresDatabase(server: AdminLogin, name: string): Promise<void> {
  await withPostgres(server, 'postgres', async (client) => {
    const existing = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (existing.rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
  });
}

/**
 * A login role that can read every table (pg_read_all_data, PostgreSQL 14+), which is all
 * pg_dump needs. Re-running it resets the password. CONNECT matters where PUBLIC lost it.
 */
export async function grantPostgresReader(server: AdminLogin, user: string, password: string, database?: string): Promise<void> {
  await withPostgres(server, 'postgres', async (client) => {
    const version = Number((await client.query<{ v: string }>("SELECT current_setting('server_version_num') AS v")).rows[0]!.v);
    if (version < 140000) throw new PreconditionFailed(`pg_read_all_data needs PostgreSQL 14 or newer, server is ${version}`);
    const role = client.escapeIdentifier(user);
    const exists = (await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [user])).rowCount !== 0;
    await client.query(`${exists ? 'ALTER' : 'CREATE'} ROLE ${role} LOGIN PASSWORD ${client.escapeLiteral(password)}`);
    await client.query(`GRANT pg_read_all_data TO ${role}`);
    if (database) await client.query(`GRANT CONNECT ON DATABASE ${client.escapeIdentifier(database)} TO ${role}`);
  });
}

const { companies, contacts, deals } = DEMO_POSTGRES_ROWS;
const POSTGRES_SEED = `
CREATE TABLE companies (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL UNIQUE,
  industry text NOT NULL, country char(2) NOT NULL, created_at timestamptz NOT NULL);
CREATE TABLE contacts (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, company_id bigint NOT NULL REFERENCES companies (id),
  full_name text NOT NULL, email text NOT NULL UNIQUE, created_at timestamptz NOT NULL);
CREATE TABLE deals (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, company_id bigint NOT NULL REFERENCES companies (id),
  contact_id bigint NOT NULL REFERENCES contacts (id), title text NOT NULL,
  stage text NOT NULL CHECK (stage IN ('lead', 'qualified', 'proposal', 'won', 'lost')),
  amount_cents bigint NOT NULL, opened_on date NOT NULL, closed_on date);
CREATE INDEX contacts_company_id ON contacts (company_id);
CREATE INDEX deals_company_id ON deals (company_id);
INSERT INTO companies (name, industry, country, created_at)
  SELECT 'Company ' || g, (ARRAY['software', 'retail', 'logistics', 'health', 'finance'])[1 + g % 5],
         (ARRAY['DE', 'FR', 'US', 'GB', 'NL', 'SE'])[1 + g % 6], timestamptz '2022-01-01' + g * interval '7 hours'
  FROM generate_series(1, ${companies}) g;
INSERT INTO contacts (company_id, full_name, email, created_at)
  SELECT 1 + g % ${companies}, (ARRAY['Ada', 'Grace', 'Linus', 'Ken', 'Barbara', 'Edsger'])[1 + g % 6] || ' '
         || (ARRAY['Lovelace', 'Hopper', 'Torvalds', 'Thompson', 'Liskov', 'Dijkstra'])[1 + (g / 6) % 6],
         'contact' || g || '@example.com', timestamptz '2022-06-01' + g * interval '3 hours'
  FROM generate_series(1, ${contacts}) g;
INSERT INTO deals (company_id, contact_id, title, stage, amount_cents, opened_on, closed_on)
  SELECT c.company_id, c.id, 'Deal ' || g, s.stage, 100000 + (g * 7919) % 5000000, date '2023-01-01' + g % 700,
         CASE WHEN s.stage IN ('won', 'lost') THEN date '2023-01-01' + g % 700 + 30 END
  FROM generate_series(1, ${deals}) g
  JOIN contacts c ON c.id = 1 + g % ${contacts}
  CROSS JOIN LATERAL (SELECT (ARRAY['lead', 'qualified', 'proposal', 'won', 'lost'])[1 + g % 5] AS stage) s;
CREATE VIEW open_pipeline AS
  SELECT stage, count(*) AS deals, sum(amount_cents) AS amount_cents FROM deals WHERE closed_on IS NULL GROUP BY stage;
`;

/** Create and fill the demo CRM database once; the seed is one transaction, so "deals exists" means done. */
export async function seedDemoPostgres(server: AdminLogin, opts: DemoOptions): Promise<void> {
  await createPostgresDatabase(server, opts.database);
  await withPostgres(server, opts.database, async (client) => {
    await client.query('BEGIN');
    const seeded = (await client.query("SELECT to_regclass('public.deals') IS NOT NULL AS seeded")).rows[0].seeded === true;
    if (!seeded) await client.query(POSTGRES_SEED);
    await client.query('COMMIT');
  });
  await grantPostgresReader(server, opts.readerUser, opts.readerPassword, opts.database);
}

export async function createMariadbDatabase(server: AdminLogin, name: string): Promise<void> {
  await withMariadb(server, undefined, (db) => db.query(`CREATE DATABASE IF NOT EXISTS ${escapeId(name)}`));
}

/**
 * A user for mysqldump --routines --triggers --events: SELECT (data, and mysql.proc for routines),
 * SHOW VIEW, TRIGGER, EVENT, LOCK TABLES (the default --lock-tables), RELOAD (FLUSH TABLES WITH
 * READ LOCK, taken by --single-transaction with --master-data and by --lock-all-tables) and
 * PROCESS (mysqldump reads INFORMATION_SCHEMA.FILES for tablespaces). Re-running resets the password.
 */
export async function grantMariadbReader(server: AdminLogin, user: string, password: string): Promise<void> {
  const account = `${escape(user)}@'%'`;
  await withMariadb(server, undefined, async (db) => {
    await db.query(`CREATE USER IF NOT EXISTS ${account} IDENTIFIED BY ${escape(password)}`);
    await db.query(`ALTER USER ${account} IDENTIFIED BY ${escape(password)}`);
    await db.query(`GRANT SELECT, SHOW VIEW, TRIGGER, EVENT, LOCK TABLES, RELOAD, PROCESS ON *.* TO ${account}`);
  });
}

const { customers, orders, order_items: orderItems } = DEMO_MARIADB_ROWS;
const itemsPerOrder = orderItems / orders;
// One statement per entry: routine and trigger bodies are single statements, so no DELIMITER games.
const MARIADB_SEED = [
  `CREATE TABLE customers (id INT UNSIGNED AUTO_INCREMENT PRIMARY KEY, email VARCHAR(191) NOT NULL UNIQUE,
     full_name VARCHAR(100) NOT NULL, country CHAR(2) NOT NULL, created_at DATETIME NOT NULL) ENGINE=InnoDB`,
  `CREATE TABLE orders (id INT UNSIGNED AUTO_INCREMENT PRIMARY KEY, customer_id INT UNSIGNED NOT NULL,
     status ENUM('pending', 'paid', 'shipped', 'cancelled') NOT NULL, total_cents BIGINT NOT NULL DEFAULT 0,
     ordered_at DATETIME NOT NULL, FOREIGN KEY (customer_id) REFERENCES customers (id)) ENGINE=InnoDB`,
  `CREATE TABLE order_items (id INT UNSIGNED AUTO_INCREMENT PRIMARY KEY, order_id INT UNSIGNED NOT NULL,
     sku VARCHAR(32) NOT NULL, quantity INT UNSIGNED NOT NULL, unit_price_cents INT UNSIGNED NOT NULL,
     FOREIGN KEY (order_id) REFERENCES orders (id)) ENGINE=InnoDB`,
  `CREATE TRIGGER order_items_add_to_total AFTER INSERT ON order_items FOR EACH ROW
     UPDATE orders SET total_cents = total_cents + NEW.quantity * NEW.unit_price_cents WHERE id = NEW.order_id`,
  `CREATE FUNCTION customer_lifetime_cents(customer INT UNSIGNED) RETURNS BIGINT READS SQL DATA
     RETURN (SELECT COALESCE(SUM(total_cents), 0) FROM orders WHERE customer_id = customer AND status <> 'cancelled')`,
  `CREATE EVENT purge_old_pending_orders ON SCHEDULE EVERY 1 DAY DISABLE
     DO UPDATE orders SET status = 'cancelled' WHERE status = 'pending' AND ordered_at < NOW() - INTERVAL 1 YEAR`,
  `INSERT INTO customers (email, full_name, country, created_at)
     SELECT CONCAT('customer', seq, '@example.com'),
            CONCAT(ELT(1 + seq % 6, 'Ada', 'Grace', 'Linus', 'Ken', 'Barbara', 'Edsger'), ' ',
                   ELT(1 + (seq DIV 6) % 6, 'Lovelace', 'Hopper', 'Torvalds', 'Thompson', 'Liskov', 'Dijkstra')),
            ELT(1 + seq % 6, 'DE', 'FR', 'US', 'GB', 'NL', 'SE'), '2022-01-01' + INTERVAL seq * 5 HOUR
     FROM seq_1_to_${customers}`,
  `INSERT INTO orders (customer_id, status, ordered_at)
     SELECT 1 + seq % ${customers}, ELT(1 + seq % 4, 'pending', 'paid', 'shipped', 'cancelled'),
            '2023-01-01' + INTERVAL seq * 3 HOUR
     FROM seq_1_to_${orders}`,
  `INSERT INTO order_items (order_id, sku, quantity, unit_price_cents)
     SELECT 1 + (seq - 1) DIV ${itemsPerOrder}, CONCAT('SKU-', LPAD(seq % 250, 4, '0')), 1 + seq % 4, 199 + (seq * 7919) % 20000
     FROM seq_1_to_${orderItems}`,
  `CREATE VIEW revenue_by_country AS
     SELECT c.country, COUNT(*) AS orders, SUM(o.total_cents) AS revenue_cents
     FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.status <> 'cancelled' GROUP BY c.country`,
];
const MARIADB_SEEDED_MARKER = 'revenue_by_country';

/**
 * Create and fill the demo shop database once. MariaDB DDL is not transactional, so the view
 * created last marks a finished seed; a half-seeded database is dropped and seeded again.
 */
export async function seedDemoMariadb(server: AdminLogin, opts: DemoOptions): Promise<void> {
  const name = escapeId(opts.database);
  await withMariadb(server, undefined, async (db) => {
    const [marker] = await db.query<RowDataPacket[]>(
      'SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?',
      [opts.database, MARIADB_SEEDED_MARKER],
    );
    if (marker.length > 0) return;
    await db.query(`DROP DATABASE IF EXISTS ${name}`);
    await db.query(`CREATE DATABASE ${name}`);
    await db.query(`USE ${name}`);
    for (const statement of MARIADB_SEED) await db.query(statement);
  });
  await grantMariadbReader(server, opts.readerUser, opts.readerPassword);
}
