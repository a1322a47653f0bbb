import pino, { type DestinationStream, type Logger } from 'pino';

/**
 * Paths pino blanks in every log line: credentials in request headers and any field that carries a token or a
 * secret, wherever a log call puts it (one and two levels deep, and inside errors).
 */
export const redactedPaths = [
  'req.headers.authorization',
  'req.headers["x-hub-signature"]',
  'req.headers.cookie',
  'headers.authorization',
  'headers["x-hub-signature"]',
  ...['accessToken', 'token', 'secret', 'webhookSecret', 'password', 'authorization', 'apiKey'].flatMap((field) => [
    field,
    `*.${field}`,
    `*.*.${field}`,
  ]),
  'err.config',
  'err.request',
  'err.response',
  // Database errors: the statement's parameters (an insert carries secrets) and the row it refused.
  'err.params',
  'err.detail',
];

/**
 * A request URL as logs show it: the path, and the names of its query parameters with their values redacted
 * (`?api_key=…` in a URL someone pasted must not end up in the log). A "name" that does not look like one (a bare
 * `?lgk_…`) is redacted too.
 */
export function redactQueryString(url: string): string {
  const question = url.indexOf('?');
  if (question === -1) return url;
  const names = url
    .slice(question + 1)
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const name = pair.split('=')[0] as string;
      return /^[A-Za-z_][A-Za-z0-9_.-]{0,31}$/.test(name) ? `${name}=[redacted]` : '[redacted]';
    });
  return `${url.slice(0, question)}?${names.join('&')}`;
}

/** How requests appear in log lines (Fastify's own shape, with the query string redacted). */
function requestForLog(request: { method?: string; url?: string; host?: string; ip?: string; socket?: { remotePort?: number } }) {
  return {
    method: request.method,
    url: request.url === undefined ? undefined : redactQueryString(request.url),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}

/** The control plane's JSON logger (stdout unless told otherwise), with secrets redacted. */
export function createLogger(options: { level?: string; destination?: DestinationStream } = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: 'liftgate-control-plane' },
      redact: { paths: redactedPaths, censor: '[redacted]' },
      serializers: { req: requestForLog },
    },
    options.destination ?? pino.destination({ dest: 1, sync: false }),
  );
}
