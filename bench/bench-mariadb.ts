import { join } from 'node:path';
import mysql from 'mysql2/promise';
import type { DatabaseAddress } from '../src/config/database-url.js';
import { startMariadb, type LocalMariadb } from '../src/local-servers/mariadb-server.js';
import type { Teardown } from './teardown.js';

export interface BenchMariadb {
  server: LocalMariadb;
  name: string;
  /** the server's admin, with no database: what a restore connects as */
  admin: DatabaseAddress;
  serverVersion: string;
  sizeBytes: number;
}

const DATABASE = 'bench';
/** Customers per fill round; with their orders, order lines and events a round adds about 5 MB. */
const CUSTOMERS_PER_ROUND = 2000;

const SCHEMA = [
  `CREATE TABLE customers (id BIGINT PRIMARY KEY, email VARCHAR(191) NOT NULL, full_name VARCHAR(100) NOT NULL, country CHAR(2) NOT NULL,
     signed_up_at DATETIME NOT NULL, lifetime_value DECIMAL(12, 2) NOT NULL, notes TEXT) ENGINE=InnoDB`,
  `CREATE TABLE orders (id BIGINT PRIMARY KEY, customer_id BIGINT NOT NULL, status VARCHAR(16) NOT NULL, currency CHAR(3) NOT NULL,
     total DECIMAL(12, 2) NOT NULL, ordered_at DATETIME NOT NULL, shipped_at DATETIME, shipping_address VARCHAR(200) NOT NULL,
     KEY orders_customer_id (customer_id)) ENGINE=InnoDB`,
  `CREATE TABLE order_items (order_id BIGINT NOT NULL, line_no SMALLINT NOT NULL, sku VARCHAR(16) NOT NULL, quantity INT NOT NULL,
     unit_price DECIMAL(10, 2) NOT NULL, PRIMARY KEY (order_id, line_no)) ENGINE=InnoDB`,
  `CREATE TABLE events (id BIGINT PRIMARY KEY, customer_id BIGINT NOT NULL, kind VARCHAR(16) NOT NULL, occurred_at DATETIME NOT NULL,
     payload JSON NOT NULL, KEY events_customer_occurred (customer_id, occurred_at)) ENGINE=InnoDB`,
];

// Each statement fills the round's customer id range [a, b] from MariaDB's sequence engine; orders, lines and events hang off it.
const FILL_ROUND: Array<(a: number, b: number) => string> = [
  (a, b) => `INSERT INTO customers SELECT seq, CONCAT('customer', seq, '@', ELT(1 + seq % 3, 'example.com', 'mail.example.org', 'corp.example.net')),
     CONCAT(ELT(1 + seq % 8, 'Ada', 'Grace', 'Linus', 'Ken', 'Barbara', 'Edsger', 'Margaret', 'Dennis'), ' ',
            ELT(1 + (seq DIV 8) % 8, 'Lovelace', 'Hopper', 'Torvalds', 'Thompson', 'Liskov', 'Dijkstra', 'Hamilton', 'Ritchie')),
     ELT(1 + (seq * 7) % 8, 'DE', 'FR', 'US', 'GB', 'NL', 'SE', 'CZ', 'PL'), '2018-01-01' + INTERVAL seq * 97 SECOND,
     ROUND(RAND() * 25000, 2), IF(seq % 4 = 0, CONCAT('Prefers email; account ref ', MD5(seq)), NULL)
   FROM seq_${a}_to_${b}`,
  (a, b) => `INSERT INTO orders SELECT seq, seq DIV 4, ELT(1 + seq % 6, 'pending', 'paid', 'shipped', 'delivered', 'cancelled', 'refunded'),
     ELT(1 + (seq DIV 4) % 4, 'EUR', 'USD', 'GBP', 'CZK'), ROUND(5 + RAND() * 995, 2), '2021-01-01' + INTERVAL seq * 41 SECOND,
     IF(seq % 6 IN (2, 3), '2021-01-02' + INTERVAL seq * 41 SECOND, NULL),
     CONCAT(1 + seq % 250, ' ', ELT(1 + seq % 6, 'Main Street', 'High Street', 'Station Road', 'Park Avenue', 'Church Lane', 'Mill Road'),
            ', ', UPPER(LEFT(MD5(seq), 5)), ' ', ELT(1 + (seq DIV 4) % 8, 'Prague', 'Berlin', 'Paris', 'London', 'Amsterdam', 'Stockholm', 'Warsaw', 'Boston'))
   FROM seq_${a * 4}_to_${b * 4 + 3}`,
  (a, b) => `INSERT INTO order_items SELECT o.seq, l.seq, CONCAT('SKU-', LPAD((o.seq * 7 + l.seq * 13) % 20000, 5, '0')), 1 + (o.seq + l.seq) % 5,
     ROUND(0.5 + RAND() * 199, 2)
   FROM seq_${a * 4}_to_${b * 4 + 3} o JOIN seq_1_to_3 l`,
  (a, b) => `INSERT INTO events SELECT seq, seq DIV 10, ELT(1 + seq % 6, 'page_view', 'search', 'add_to_cart', 'checkout', 'login', 'logout'),
     '2022-01-01' + INTERVAL seq * 9 SECOND,
     JSON_OBJECT('session', MD5(seq), 'path', CONCAT('/', seq % 977), 'ip', CONCAT('10.', seq % 256, '.', seq DIV 256 % 256, '.', seq DIV 65536 % 256),
                 'duration_ms', FLOOR(RAND() * 5000))
   FROM seq_${a * 10}_to_${b * 10 + 9}`,
];

/**
 * A throwaway MariaDB under <root>/mariadb (stopped by `teardown`) with one database filled to
 * about `targetBytes` (data and indexes, as information_schema counts them), in rounds of
 * INSERT … SELECT from the sequence engine, so neither side holds much in memory.
 */
export async function createBenchMariadb(root: string, targetBytes: number, teardown: Teardown, log: (line: string) => void): Promise<BenchMariadb> {
  const server = await startMariadb({ dataDir: join(root, 'mariadb'), log });
  teardown.defer('stop MariaDB', () => server.stop());
  const client = await mysql.createConnection({ host: server.host, port: server.port, user: server.adminUser, password: server.adminPassword });
  try {
    await client.query(`CREATE DATABASE ${DATABASE} CHARACTER SET utf8mb4`);
    await client.query(`USE ${DATABASE}`);
    for (const statement of SCHEMA) await client.query(statement);
    const started = Date.now();
    let size = 0;
    let nextReport = targetBytes / 10;
    for (let first = 1; size < targetBytes; first += CUSTOMERS_PER_ROUND) {
      await client.query('START TRANSACTION');
      for (const statement of FILL_ROUND) await client.query(statement(first, first + CUSTOMERS_PER_ROUND - 1));
      await client.query('COMMIT');
      size = await databaseSize(client);
      if (size >= nextReport) {
        log(`filled ${mb(size)} of ${mb(targetBytes)} MB (${((Date.now() - started) / 1000).toFixed(0)} s)`);
        nextReport += targetBytes / 10;
      }
    }
    const [[version]] = await client.query<mysql.RowDataPacket[]>('SELECT VERSION() AS v');
    log(`database ${DATABASE}: ${mb(size)} MB in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    return {
      server,
      name: DATABASE,
      admin: { engine: 'mysql', host: server.host, port: server.port, user: server.adminUser, database: '' },
      serverVersion: String(version!.v),
      sizeBytes: size,
    };
  } finally {
    await client.end();
  }
}

/** Data and index bytes; ANALYZE first, as InnoDB's figures are estimates refreshed by it. */
async function databaseSize(client: mysql.Connection): Promise<number> {
  await client.query('ANALYZE TABLE customers, orders, order_items, events');
  const [[row]] = await client.query<mysql.RowDataPacket[]>('SELECT SUM(DATA_LENGTH + INDEX_LENGTH) AS bytes FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()');
  return Number(row!.bytes);
}

const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(0);
