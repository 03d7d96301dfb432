import { quoteForShell } from './shell-quote.js';

/**
 * A program to run, as data. The builders in this folder return these; activities execute them.
 * Secrets travel in env, never in args, so args are safe to log.
 */
export interface Command {
  file: string;
  args: string[];
  /** Set for the child on top of what it inherits. May hold passwords: never log or serialise it. */
  env?: Record<string, string>;
  /**
   * Written to the child's stdin, then closed; the one way a child gets stdin besides a pipeline's
   * previous stage. May hold passwords or an age identity: never log or serialise it.
   */
  input?: string;
  /**
   * The stderr lines a verbose tool prints to report its progress: they go to the caller's
   * onProgressLine, and stay out of a failure's message, which they would crowd out.
   */
  progressLine?: RegExp;
  /**
   * The tool writes its stdout front to back and never seeks in it, so a file it writes can be
   * hashed while it grows. (pg_dump, given a file, seeks back to rewrite its table of contents.)
   */
  writesInOrder?: boolean;
}

/**
 * `file args...` for logs and error messages. Words are quoted so their boundaries stay visible
 * and the line can be pasted into a shell. Env is left out because it carries passwords.
 */
export function describeCommand(cmd: Command): string {
  return quoteForShell([cmd.file, ...cmd.args]);
}
