import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How the stand-in answers: like Slack ("ok"), with a 500 (Slack is down), a 404 (the webhook was revoked), or not at all. */
export type ReceiverMode = 'ok' | 'fail-500' | 'fail-404' | 'hang';

export interface SlackReceiver {
  /** The incoming-webhook URL; its path carries a random token, as Slack's does, so it is worth keeping secret. */
  url: string;
  /** Every request's JSON body, in arrival order, whatever the answer was. */
  requests: Array<Record<string, unknown>>;
  /** The bodies of the requests that were answered "ok": what reached the channel. */
  messages: Array<{ text: string }>;
  mode: ReceiverMode;
  close(): Promise<void>;
}

/**
 * A real HTTP server on 127.0.0.1 standing in for Slack's incoming webhook: it records every
 * payload posted to the webhook path and answers as `mode` says.
 */
export async function startSlackReceiver(mode: ReceiverMode = 'ok'): Promise<SlackReceiver> {
  const path = `/services/T000/B000/${randomBytes(12).toString('hex')}`;
  const hanging = new Set<ServerResponse>();
  const receiver = { requests: [], messages: [], mode } as unknown as SlackReceiver;

  const server = createServer(async (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    if (request.method !== 'POST' || request.url !== path) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('no_service');
      return;
    }
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
    receiver.requests.push(body);
    if (receiver.mode === 'hang') {
      hanging.add(response);
      response.on('close', () => hanging.delete(response));
      return;
    }
    if (receiver.mode === 'fail-500') {
      response.writeHead(500, { 'content-type': 'text/plain' }).end('internal_error');
      return;
    }
    if (receiver.mode === 'fail-404') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('no_service');
      return;
    }
    receiver.messages.push(body as { text: string });
    response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  receiver.url = `http://127.0.0.1:${port}${path}`;
  receiver.close = async () => {
    for (const response of hanging) response.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return receiver;
}
