/**
 * HTTP servers tests talk to on loopback: a scripted one that records every request, and a port nothing listens
 * on. Each server is closed by the test that made it.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface ScriptedServer {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** Every request so far, in arrival order. */
  requests: RecordedRequest[];
  /** The most requests that were ever being answered at once. */
  peakInFlight(): number;
  close(): Promise<void>;
}

/**
 * A server on 127.0.0.1:0 that reads each request whole, records it, and lets `answer` respond (or not: a hanging
 * answer is one that never ends the response). Connections still open are dropped on close.
 */
export async function scriptedServer(answer: (request: RecordedRequest, response: ServerResponse) => void | Promise<void>): Promise<ScriptedServer> {
  const requests: RecordedRequest[] = [];
  let inFlight = 0;
  let peak = 0;
  const server = createServer((incoming: IncomingMessage, response: ServerResponse) => {
    inFlight += 1;
    peak = Math.max(peak, inFlight);
    response.on('close', () => (inFlight -= 1));
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const recorded = { method: incoming.method ?? '', url: incoming.url ?? '', headers: incoming.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(recorded);
      void answer(recorded, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    peakInFlight: () => peak,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Answers with a JSON body. */
export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

/** A loopback port nothing listens on: bind, read the port, close. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
