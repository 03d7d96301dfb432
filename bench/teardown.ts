import { describeError } from '../src/core/errors.js';

/**
 * Cleanup steps, run last-registered first and only once, whether the bench finishes, throws or
 * is interrupted. A failing step is logged and the rest still run, so one stuck server cannot
 * leave the others behind.
 */
export class Teardown {
  readonly #steps: Array<{ label: string; run: () => Promise<unknown> }> = [];
  #running: Promise<void> | undefined;

  defer(label: string, run: () => Promise<unknown>): void {
    this.#steps.push({ label, run });
  }

  run(log: (line: string) => void): Promise<void> {
    this.#running ??= (async () => {
      for (const step of this.#steps.reverse()) {
        try {
          log(`cleanup: ${step.label}`);
          await step.run();
        } catch (err) {
          log(`cleanup: ${step.label} failed: ${describeError(err)}`);
        }
      }
    })();
    return this.#running;
  }

  /** Ctrl-C, a kill or a stray async error still stops the servers and removes the temp dir before exiting. */
  runOnExitPaths(log: (line: string) => void): void {
    for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
      process.on(event, (err: unknown) => {
        log(`${event}: ${describeError(err)}; cleaning up`);
        void this.run(log).finally(() => process.exit(1));
      });
    }
    // `on`, not `once`: a second signal during cleanup must not fall back to the default (die at once).
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.on(signal, () => {
        log(`${signal}: cleaning up`);
        void this.run(log).finally(() => process.exit(130));
      });
    }
  }
}
