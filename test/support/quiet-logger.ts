/** The workflow bundler's logger: warnings and errors only. The replay test (unit lane) uses it too, so it imports nothing of the servers. */
export const quietLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string) => console.warn(message),
  error: (message: string) => console.error(message),
};
