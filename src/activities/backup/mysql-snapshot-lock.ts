import type mysql from 'mysql2/promise';

/**
 * InnoDB refills the cache behind INFORMATION_SCHEMA.INNODB_TRX only after nobody has read it for
 * 100 ms (trx0i_s.cc, CACHE_MIN_IDLE_TIME): polling faster keeps serving the snapshot of the first poll.
 */
const POLL_INTERVAL_MS = 150;

/**
 * With FLUSH TABLES WITH READ LOCK held, waits until the dump's session (same user, another thread)
 * has an InnoDB transaction, i.e. its consistent snapshot exists, then releases the lock. A dump
 * that already finished (a small database) opened its snapshot while the lock was held, too.
 * Returns the guarantee achieved; on timeout it releases anyway and reports 'adjacent'.
 */
export async function holdReadLockUntilDumpSnapshot(
  lock: mysql.Connection,
  user: string,
  ownThreads: number[],
  dumpFinished: () => boolean,
  timeoutMs = 30_000,
): Promise<'global-read-lock' | 'adjacent'> {
  const deadline = Date.now() + timeoutMs;
  try {
    while (Date.now() < deadline) {
      if (dumpFinished()) return 'global-read-lock';
      const [rows] = await lock.query<mysql.RowDataPacket[]>(
        `SELECT COUNT(*) AS n FROM information_schema.INNODB_TRX t
           JOIN information_schema.PROCESSLIST p ON p.ID = t.trx_mysql_thread_id
          WHERE p.USER = ? AND p.ID NOT IN (?)`,
        [user, ownThreads],
      );
      if (Number(rows[0]!.n) > 0) return 'global-read-lock';
      await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
    }
    return 'adjacent';
  } finally {
    await lock.query('UNLOCK TABLES');
  }
}
