/** Prints why a bench failed and sets a failing exit code. Tool errors can carry megabytes of output; the head says what failed. */
export function reportBenchFailure(err: unknown): void {
  const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
  console.error(`bench failed: ${message.length > 4000 ? `${message.slice(0, 4000)}…` : message}`);
  process.exitCode = 1;
}
