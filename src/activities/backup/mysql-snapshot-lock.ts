import type mysql from 'mysql2/promise';

/**
 * With FLUSH TABLES WITH READ LOCK held, waits until the dump's session (same user, another thread)
 * has an InnoDB transaction, i.e. its consistent snapshot exists, then releases the lock.
 * Returns the guarantee achieved; on timeout it releases anyway and reports 'adjacent'.
 */
export async function holdReadLockUntilDumpSnapshot(
  lock: mysql.Connection,
  user: string,
  ownThreads: number[],
  timeoutMs = 30_000,
): Promise<'global-read-lock' | 'adjacent'> {
  const deadline = Date.now() + timeoutMs;
  try {
    while (Date.now() < deadline) {
      const [rows] = await lock.query<mysql.RowDataPacket[]>(
        `SELECT COUNT(*) AS n FROM information_schema.INNODB_TRX t
           JOIN information_schema.PROCESSLIST p ON p.ID = t.trx_mysql_thread_id
          WHERE p.USER = ? AND p.ID NOT IN (?)`,
        [user, ownThreads],
      );
      if (Number(rows[0]!.n) > 0) return 'global-read-lock';
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return 'adjacent';
  } finally {
    await lock.query('UNLOCK TABLES');
  }
}
