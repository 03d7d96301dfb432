import { userInfo } from 'node:os';

/** Who is acting: --by, else CI's actor (GitHub Actions), else the OS user. Recorded in reports and release logs. */
export function whoIsActing(by: string | undefined): string {
  if (by) return by;
  if (process.env.GITHUB_ACTOR) return `${process.env.GITHUB_ACTOR} (GitHub Actions)`;
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
