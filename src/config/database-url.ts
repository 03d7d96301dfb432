export type Engine = 'postgres' | 'mysql';

/** A database address without its password (the password is a separate Secret, so the URL is safe to log). */
export interface DatabaseAddress {
  engine: Engine;
  user: string;
  host: string;
  port: number;
  database: string;
}

const DEFAULT_PORTS: Record<Engine, number> = { postgres: 5432, mysql: 3306 };
const SCHEMES: Record<string, Engine> = { 'postgres:': 'postgres', 'postgresql:': 'postgres', 'mysql:': 'mysql', 'mariadb:': 'mysql' };

/** Parses postgres://user@host:port/db or mysql://user@host:port/db. Throws a message naming the cause. */
export function parseDatabaseUrl(text: string, { requireDatabase = true } = {}): DatabaseAddress {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`expected a postgres:// or mysql:// URL, got "${withoutCredentials(text)}"`);
  }
  const engine = SCHEMES[url.protocol];
  if (!engine) throw new Error(`expected a postgres:// or mysql:// URL, got scheme "${url.protocol}"`);
  if (url.password) throw new Error('must not contain a password: put it in `password:` as ${ENV_VAR} or file:path');
  if (!url.username) throw new Error('must name a user, e.g. postgres://ops_reader@host/db');
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (requireDatabase && !database) throw new Error('must name a database, e.g. postgres://user@host:5432/app');
  return {
    engine,
    user: decodeURIComponent(url.username),
    host: url.hostname,
    port: url.port ? Number(url.port) : DEFAULT_PORTS[engine],
    database,
  };
}

/** An unparseable URL may still carry user:password@; never echo the password part. */
function withoutCredentials(text: string): string {
  return text.replace(/\/\/([^/@:]*):[^/@]*@/, '//$1:***@');
}

export function describeAddress(address: DatabaseAddress): string {
  return `${address.engine}://${address.user}@${address.host}:${address.port}/${address.database}`;
}
