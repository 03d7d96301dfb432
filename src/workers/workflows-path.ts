/** The module that exports every ops workflow: the one input of the workflow bundle. */
export const WORKFLOWS_PATH = new URL('../workflows/index.ts', import.meta.url).pathname;
