/**
 * Provider logging in the format Terraform understands.
 *
 * go-plugin reads a provider's stderr line by line and parses hclog JSON lines (`@level`, `@message`,
 * `@module`, `@timestamp`, other keys as key/value pairs), then logs them through Terraform's provider
 * logger, which is off unless TF_LOG_PROVIDER or TF_LOG is set. We apply the same level here so that a
 * provider does not format lines Terraform would drop anyway.
 */

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

/** Extra key/value pairs of a log line. Errors are logged by message; other values must be JSON-serialisable. */
export type LogFields = Record<string, unknown>;

export interface Logger {
  /** The hclog module name written as `@module`. */
  readonly name: string;
  /** Whether lines of this level are written at all (lets callers skip building expensive fields). */
  enabled(level: LogLevel): boolean;
  trace(message: string, fields?: LogFields): void;
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger for a sub-module, named `<name>.<suffix>` like hclog's Named(). */
  named(suffix: string): Logger;
}

const severity: Record<LogLevel, number> = { trace: 0, debug: 1, info: 2, warn: 3, error: 4 };
const off = Number.POSITIVE_INFINITY;

/**
 * The lowest severity written, from the environment the way Terraform reads it for providers:
 * TF_LOG_PROVIDER wins over TF_LOG; unset or empty means off; `OFF` is off; `JSON` means trace; a level
 * name (any case) is that level; any other value means trace ("TRACE is the default if TF_LOG is set to
 * something other than a log level name").
 */
export function logThresholdFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const setting = env.TF_LOG_PROVIDER || env.TF_LOG;
  if (!setting) return off;
  const upper = setting.trim().toUpperCase();
  if (upper === 'OFF') return off;
  const level = upper.toLowerCase();
  return level in severity ? severity[level as LogLevel] : severity.trace;
}

/** hclog's timestamp layout `2006-01-02T15:04:05.000000Z07:00` (microseconds, UTC). */
function hclogTimestamp(date: Date): string {
  return `${date.toISOString().slice(0, -1)}000Z`;
}

function fieldValue(value: unknown): unknown {
  if (value instanceof Error) return value.message;
  if (typeof value === 'bigint') return value.toString();
  return value;
}

/** One hclog JSON line (without the newline). Field names starting with `@` are prefixed so they cannot
 * overwrite the reserved keys go-plugin type-asserts as strings. */
export function formatHclogLine(level: LogLevel, module: string, message: string, fields: LogFields | undefined, now: Date): string {
  const line: Record<string, unknown> = {
    '@level': level,
    '@message': message,
    '@module': module,
    '@timestamp': hclogTimestamp(now),
  };
  if (fields) {
    for (const [key, value] of Object.entries(fields)) {
      line[key.startsWith('@') ? `_${key}` : key] = fieldValue(value);
    }
  }
  try {
    return JSON.stringify(line);
  } catch (error) {
    // A circular or otherwise unserialisable field must not take the provider down: log without the fields.
    return JSON.stringify({
      '@level': level,
      '@message': message,
      '@module': module,
      '@timestamp': line['@timestamp'],
      log_error: `fields not serialisable: ${(error as Error).message}`,
    });
  }
}

/** Where log lines go; stderr by default. A write error (Terraform closed the pipe) is not the caller's problem. */
export type LogSink = (line: string) => void;

const stderrSink: LogSink = (line) => {
  process.stderr.write(`${line}\n`);
};

/**
 * Creates a logger writing hclog JSON lines to stderr, at the level TF_LOG_PROVIDER / TF_LOG ask for
 * (read once, when the logger is created).
 */
export function createLogger(
  name: string,
  options: { env?: NodeJS.ProcessEnv; sink?: LogSink; now?: () => Date } = {},
): Logger {
  const threshold = logThresholdFromEnv(options.env ?? process.env);
  const sink = options.sink ?? stderrSink;
  const now = options.now ?? (() => new Date());
  return buildLogger(name, threshold, sink, now);
}

function buildLogger(name: string, threshold: number, sink: LogSink, now: () => Date): Logger {
  const log = (level: LogLevel) => (message: string, fields?: LogFields) => {
    if (severity[level] >= threshold) sink(formatHclogLine(level, name, message, fields, now()));
  };
  return {
    name,
    enabled: (level) => severity[level] >= threshold,
    trace: log('trace'),
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    named: (suffix) => buildLogger(`${name}.${suffix}`, threshold, sink, now),
  };
}
