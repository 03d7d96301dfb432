import mysql from 'mysql2/promise';
import pg from 'pg';
import { testServers } from './servers.js';

/**
 * Adds a table of `rows` rows of ~140 bytes of hex text to a fixture database, so that pg_dump
 * streams for seconds rather than milliseconds: long enough to interrupt it in the middle.
 */
export async function addBulkPostgresTable(database: string, rows: number): Promise<void> {
  const { postgres } = testServers();
  const admin = new pg.Client({ host: postgres.host, port: postgres.port, user: postgres.adminUser, password: postgres.adminPassword, database });
  await admin.connect();
  try {
    await admin.query(
      `CREATE TABLE bulk AS
         SELECT g AS id, md5(g::text) || md5((g * 7)::text) || md5(random()::text) || md5(random()::text) AS payload
         FROM generate_series(1, $1::int) g`,
      [rows],
    );
  } finally {
    await admin.end();
  }
}

/** The same bulk table in a fixture's MariaDB database (its sequence engine makes the rows), so an import runs for seconds. */
export async function addBulkMariadbTable(database: string, rows: number): Promise<void> {
  const { mariadb } = testServers();
  const admin = await mysql.createConnection({ host: mariadb.host, port: mariadb.port, user: mariadb.adminUser, password: mariadb.adminPassword, database });
  try {
    await admin.query(
      `CREATE TABLE bulk (id INT PRIMARY KEY, payload VARCHAR(128) NOT NULL)
         SELECT seq AS id, CONCAT(MD5(seq), MD5(seq * 7), MD5(RAND()), MD5(RAND())) AS payload
         FROM seq_1_to_${Math.trunc(rows)}`,
    );
  } finally {
    await admin.end();
  }
}
