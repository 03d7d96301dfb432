/** Where files live: a local directory, or a directory on a host reached with ssh. */
export type Location =
  | { kind: 'local'; path: string }
  | { kind: 'ssh'; user?: string; host: string; port?: number; path: string };

const SSH_URL = /^ssh:\/\/(?:([^@/:]+)@)?([^@/:]+)(?::(\d+))?(\/.*)$/;

/** Parses `/abs/path`, `./rel/path` (against baseDir) or `ssh://user@host:port/abs/path`. Throws a message naming the cause. */
export function parseLocation(text: string, baseDir: string): Location {
  if (text.startsWith('ssh://')) {
    const match = SSH_URL.exec(text);
    if (!match) throw new Error(`expected ssh://[user@]host[:port]/absolute/path, got "${text}"`);
    const [, user, host, port, path] = match;
    return { kind: 'ssh', ...(user ? { user } : {}), host: host!, ...(port ? { port: Number(port) } : {}), path: path! };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) throw new Error(`unsupported scheme in "${text}": use a path or ssh://`);
  if (text.trim() === '') throw new Error('expected a path, got an empty string');
  const path = text.startsWith('/') ? text : `${baseDir.replace(/\/$/, '')}/${text.replace(/^\.\//, '')}`;
  return { kind: 'local', path };
}

/** The rsync form of a location: `/path` or `user@host:/path` (the port travels in the ssh command). */
export function rsyncPath(location: Location, subPath = ''): string {
  const path = joinPath(location.path, subPath);
  if (location.kind === 'local') return path;
  return `${location.user ? `${location.user}@` : ''}${location.host}:${path}`;
}

export function describeLocation(location: Location): string {
  if (location.kind === 'local') return location.path;
  return `ssh://${location.user ? `${location.user}@` : ''}${location.host}${location.port ? `:${location.port}` : ''}${location.path}`;
}

export function joinPath(base: string, sub: string): string {
  if (!sub) return base;
  return `${base.replace(/\/+$/, '')}/${sub.replace(/^\/+/, '')}`;
}

export interface SshHostAddress {
  user?: string;
  host: string;
  port?: number;
}

/** Parses `ssh://[user@]host[:port]` (no path), or plain `[user@]host`, as used for deploy hosts. */
export function parseSshHost(text: string): SshHostAddress {
  const match = /^(?:ssh:\/\/)?(?:([^@/:\s]+)@)?([^@/:\s]+)(?::(\d+))?\/?$/.exec(text);
  if (!match) throw new Error(`expected ssh://[user@]host[:port], got "${text}"`);
  const [, user, host, port] = match;
  return { ...(user ? { user } : {}), host: host!, ...(port ? { port: Number(port) } : {}) };
}

/** Parses `ssh://[user@]host[:port]` only: the form a database target's `via` and `exec.host` take. */
export function parseSshAddress(text: string): SshHostAddress {
  if (!text.startsWith('ssh://')) throw new Error(`expected ssh://[user@]host[:port], got "${text}"`);
  const address = parseSshHost(text);
  if (address.host.startsWith('-') || address.user?.startsWith('-')) throw new Error(`"${text}": a user or host starting with "-" would be read as an ssh option`);
  return address;
}

export function describeSshAddress(address: SshHostAddress): string {
  return `ssh://${address.user ? `${address.user}@` : ''}${address.host}${address.port ? `:${address.port}` : ''}`;
}
