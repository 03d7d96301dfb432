import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How the stand-in answers a request whose signature checks out: accept it, or fail with a 500 (the user's system is down). */
export type WebhookReceiverMode = 'ok' | 'fail-500';

export interface WebhookRequest {
  event: string | undefined;
  delivery: string | undefined;
  /** the JSON body */
  body: Record<string, any>;
  /** whether X-Ops-Signature matched the receiver's own secret and X-Ops-Timestamp was fresh */
  verified: boolean;
  status: number;
}

export interface WebhookReceiver {
  url: string;
  /** Every request, in arrival order, whatever the answer was. */
  requests: WebhookRequest[];
  /** The bodies of requests answered 2xx: what the user's system took in. */
  accepted: Array<Record<string, any>>;
  mode: WebhookReceiverMode;
  close(): Promise<void>;
}

/**
 * A real HTTP server on 127.0.0.1 standing in for the user's system behind `notify.webhooks`. It
 * checks each request as the README tells a receiver to: HMAC-SHA256 with `secret` over
 * "<X-Ops-Timestamp>.<raw body>", compared in constant time, the timestamp within 5 minutes.
 * A bad signature is answered 401.
 */
export async function startWebhookReceiver(secret: string, mode: WebhookReceiverMode = 'ok'): Promise<WebhookReceiver> {
  const path = `/hooks/${randomBytes(8).toString('hex')}`;
  const receiver = { requests: [], accepted: [], mode } as unknown as WebhookReceiver;
  const server = createServer(async (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    if (request.method !== 'POST' || request.url !== path) {
      response.writeHead(404).end('not found');
      return;
    }
    const verified = verifyOpsSignature(secret, request.headers['x-ops-timestamp'], request.headers['x-ops-signature'], raw);
    const status = !verified ? 401 : receiver.mode === 'fail-500' ? 500 : 204;
    const body = JSON.parse(raw) as Record<string, any>;
    receiver.requests.push({ event: header(request.headers['x-ops-event']), delivery: header(request.headers['x-ops-delivery']), body, verified, status });
    if (status === 204) receiver.accepted.push(body);
    response.writeHead(status).end(status === 401 ? 'bad signature' : status === 500 ? 'internal error' : undefined);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`;
  receiver.close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return receiver;
}

/** The README's receiver example, as code. */
function verifyOpsSignature(secret: string, timestamp: string | string[] | undefined, signature: string | string[] | undefined, raw: string): boolean {
  if (typeof timestamp !== 'string' || typeof signature !== 'string') return false;
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > 300) return false;
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(`${timestamp}.${raw}`).digest('hex')}`);
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
