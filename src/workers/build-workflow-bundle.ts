import { rename, writeFile } from 'node:fs/promises';
import { bundleWorkflowCode } from '@temporalio/worker';
import { WORKFLOWS_PATH } from './workflows-path.js';

/**
 * Run as its own process by the worker (see prebuilt-bundle.ts): webpack's heap stays in this short-lived
 * process instead of inflating the long-running worker's resident memory for the rest of its life.
 */
const out = process.argv[2];
if (!out) throw new Error('usage: build-workflow-bundle.ts <output file>');
const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: { log() {}, trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error } });
// Through a temp name: a second worker starting on the same state dir never loads half a bundle.
await writeFile(`${out}.${process.pid}.tmp`, code);
await rename(`${out}.${process.pid}.tmp`, out);
