import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { HistoryAndWorkflowId } from '@temporalio/client';
import proto from '@temporalio/proto';

/** Where `npm run histories:save` writes one history per workflow run, and the replay test reads them. */
export const HISTORIES_DIR = fileURLToPath(new URL('../fixtures/histories', import.meta.url));

const History = proto.temporal.api.history.v1.History;
type History = proto.temporal.api.history.v1.IHistory;

export interface SavedHistory extends HistoryAndWorkflowId {
  /** The file's name without .json, e.g. deployPipeline-rolled-back. */
  name: string;
  workflowType: string;
}

/**
 * A history as JSON text: protobufjs's own object form (int64 and enums as strings, bytes as base64).
 * Not @temporalio/common's historyToJSON: common and proto each install their own protobufjs 8, and
 * its protojson check (`instanceof Type`) fails across the two copies ("type must be a Type").
 */
export function historyText(history: History): string {
  return `${JSON.stringify(History.toObject(History.fromObject(history), { longs: String, enums: String, bytes: String }), null, 1)}\n`;
}

/** Every saved history, in file-name order; the workflow id is the file's name, which is unique. */
export async function savedHistories(): Promise<SavedHistory[]> {
  const files = (await readdir(HISTORIES_DIR)).filter((f) => f.endsWith('.json')).sort();
  return Promise.all(
    files.map(async (file) => {
      const history = History.fromObject(JSON.parse(await readFile(`${HISTORIES_DIR}/${file}`, 'utf8')) as Record<string, unknown>);
      const name = file.slice(0, -'.json'.length);
      const workflowType = history.events[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name ?? '';
      return { name, workflowId: name, history, workflowType };
    }),
  );
}
