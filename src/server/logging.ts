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
];

/** The control plane's JSON logger (stdout unless told otherwise), with secrets redacted. */
export function createLogger(options: { level?: string; destination?: DestinationStream } = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: 'liftgate-control-plane' },
      redact: { paths: redactedPaths, censor: '[redacted]' },
    },
    options.destination ?? pino.destination({ dest: 1, sync: false }),
  );
}
