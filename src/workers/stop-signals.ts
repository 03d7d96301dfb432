export interface StopSignals {
  /** True once SIGINT or SIGTERM came. */
  readonly requested: boolean;
  /** Asks for the same orderly stop as a signal (e.g. `ops up` failing after its worker started). */
  request(reason: string): void;
  /** Runs the action at the first signal, or at once if one already came. */
  onStop(action: () => void): void;
  /** Removes the handlers: after an orderly stop, signals behave as Node's defaults again. */
  dispose(): void;
}

export interface StopOptions {
  /** Running activities get this long to finish before they are cancelled (said in the stopping line). */
  graceMs: number;
  /** After the first signal the process exits after this long, whatever still runs. */
  forceExitAfterMs: number;
  log: (line: string) => void;
  exit?: (code: number) => void;
}

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/**
 * SIGINT and SIGTERM always end the process: the first asks for an orderly stop and arms a timer
 * that exits if the stop hangs (an activity ignoring cancellation, a half-started worker); a second
 * signal exits at once. Installed before anything starts, so a signal during start-up counts too.
 */
export function listenForStop(options: StopOptions): StopSignals {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let requested = false;
  let action: (() => void) | undefined;
  const request = (reason: string) => {
    if (requested) {
      options.log(`${reason} again: exiting now`);
      exit(1);
      return;
    }
    requested = true;
    options.log(`${reason}: stopping; running activities get ${Math.round(options.graceMs / 1000)}s to finish, then are cancelled for Temporal to retry`);
    setTimeout(() => {
      options.log(`did not stop within ${Math.round(options.forceExitAfterMs / 1000)}s: exiting`);
      exit(1);
    }, options.forceExitAfterMs).unref();
    action?.();
  };
  const handler = (signal: NodeJS.Signals) => request(signal);
  for (const signal of SIGNALS) process.on(signal, handler);
  return {
    get requested() {
      return requested;
    },
    request,
    onStop(next) {
      action = next;
      if (requested) next();
    },
    dispose() {
      for (const signal of SIGNALS) process.off(signal, handler);
    },
  };
}
