import { createServer } from 'node:http';
import { verifyHubSignature } from '../src/server/webhooks/signature';

/**
 * The ceiling of the webhook benchmark: a bare node:http server that reads the body, verifies the HMAC with the
 * receiver's own function and answers 200. Run as its own process, like `liftgate serve`, so both are measured
 * the same way. Prints `{"port": N}` once listening.
 */
const secret = process.argv[2];
if (secret === undefined) {
  process.stderr.write('usage: webhook-ceiling-server <secret>\n');
  process.exit(1);
}

const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const check = verifyHubSignature(secret, Buffer.concat(chunks), request.headers['x-hub-signature']);
    response.writeHead(check.valid ? 200 : 401, { 'content-type': 'application/json' });
    response.end(check.valid ? '{"outcome":"TRIGGERED"}' : '{"error":{"code":"unauthorized"}}');
  });
});
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`${JSON.stringify({ port: typeof address === 'object' && address !== null ? address.port : 0 })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
