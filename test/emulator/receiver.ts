import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One delivery as a webhook receiver saw it. */
export interface ReceivedDelivery {
  path: string;
  headers: IncomingHttpHeaders;
  rawBody: Buffer;
  payload: any;
}

/**
 * A real HTTP webhook receiver on 127.0.0.1:0. It records every delivery and answers `status` (200 unless
 * changed), or never answers while `hang` is set.
 */
export class WebhookReceiver {
  readonly deliveries: ReceivedDelivery[] = [];
  status = 200;
  hang = false;
  private server: Server | null = null;

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const rawBody = Buffer.concat(chunks);
        let payload: unknown = null;
        try {
          payload = JSON.parse(rawBody.toString('utf8'));
        } catch {
          payload = undefined;
        }
        this.deliveries.push({ path: request.url ?? '', headers: request.headers, rawBody, payload });
        if (!this.hang) response.writeHead(this.status, { 'Content-Type': 'text/plain' }).end('received');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

/** Checks `X-Hub-Signature: sha256=<hex>` against the raw body the way a receiver must (constant time). */
export function signatureIsValid(secret: string, delivery: ReceivedDelivery): boolean {
  const header = delivery.headers['x-hub-signature'];
  if (typeof header !== 'string' || !header.startsWith('sha256=')) return false;
  const expected = createHmac('sha256', secret).update(delivery.rawBody).digest();
  const given = Buffer.from(header.slice('sha256='.length), 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
