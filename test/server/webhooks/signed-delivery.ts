import { randomUUID } from 'node:crypto';
import { request, type Agent } from 'node:http';
import { hubSignatureFor } from '../../../src/server/webhooks/signature';

/** A delivery as Bitbucket sends it: JSON body, X-Event-Key, X-Request-Id and X-Hub-Signature. */
export interface SignedDelivery {
  path: string;
  headers: Record<string, string>;
  body: Buffer;
}

export function signedDelivery(
  integrationId: string,
  secret: string,
  eventKey: string,
  payload: unknown,
  requestId: string = randomUUID(),
): SignedDelivery {
  const body = Buffer.from(JSON.stringify(payload));
  return {
    path: `/webhooks/bitbucket-datacenter/${encodeURIComponent(integrationId)}`,
    headers: {
      'content-type': 'application/json; charset=UTF-8',
      'x-event-key': eventKey,
      'x-request-id': requestId,
      'x-hub-signature': hubSignatureFor(secret, body),
    },
    body,
  };
}

/** Posts a delivery over real HTTP; resolves to the status and the parsed body (rejects on a socket error). */
export function postDelivery(
  baseUrl: string,
  delivery: SignedDelivery,
  agent?: Agent,
): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(delivery.path, baseUrl),
      { method: 'POST', agent, headers: { ...delivery.headers, 'content-length': String(delivery.body.length) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            // Not JSON (a crashed or foreign server); keep the text so a failing assertion shows it.
          }
          resolve({ status: res.statusCode ?? 0, body });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(delivery.body);
  });
}
