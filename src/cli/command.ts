import { parseArgs } from 'node:util';

/** A `liftgate` sub-command. Commands are thin: they read flags and call the parts under src/. */
export interface Command {
  readonly name: string;
  /** One line for `liftgate --help`. */
  readonly summary: string;
  /** The full `--help` text. */
  readonly usage: string;
  /** Runs the command; resolves to the process exit code. */
  run(args: string[]): Promise<number>;
}

/** A problem with what the user typed; printed as one line, exit code 1. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** How one flag is read: `--name value` (string) or `--name` (boolean). */
export interface FlagSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
}

/** The parsed value of each flag in a spec: strings (or string lists), booleans, or undefined when absent. */
export type FlagValues<T extends Record<string, FlagSpec>> = {
  [K in keyof T]?: T[K]['type'] extends 'boolean'
    ? T[K]['multiple'] extends true ? boolean[] : boolean
    : T[K]['multiple'] extends true ? string[] : string;
};

/**
 * Parses `--flag value` style arguments strictly (unknown flags and stray positionals are errors) and turns
 * node's parse errors into one-line UsageErrors.
 */
export function parseFlags<T extends Record<string, FlagSpec>>(
  args: string[],
  options: T,
  { allowPositionals = false }: { allowPositionals?: boolean } = {},
): { values: FlagValues<T>; positionals: string[] } {
  try {
    const parsed = parseArgs({ args, options, strict: true, allowPositionals });
    return { values: parsed.values as FlagValues<T>, positionals: parsed.positionals };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** Parses a TCP port flag, naming the flag in the error. */
export function parsePort(value: string, flag: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`${flag} must be a port number between 0 and 65535, got "${value}"`);
  }
  return port;
}

const DURATION = /^(\d+)(m|h|d)$/;
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** Parses a positive duration flag written as minutes, hours or days (`30m`, `24h`, `7d`) into milliseconds. */
export function parseDuration(value: string, flag: string): number {
  const duration = DURATION.exec(value);
  if (duration === null || Number(duration[1]) === 0) {
    throw new UsageError(`${flag} must be a duration such as 30m, 24h or 7d, got "${value}"`);
  }
  return Number(duration[1]) * UNIT_MS[duration[2] as keyof typeof UNIT_MS];
}

const BYTE_SIZE = /^(\d+)(KiB|MiB|GiB)?$/;
const UNIT_BYTES = { KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 } as const;

/** Parses a positive size flag written in bytes or with a binary unit (`1048576`, `512KiB`, `32MiB`, `1GiB`). */
export function parseByteSize(value: string, flag: string): number {
  const size = BYTE_SIZE.exec(value);
  const bytes = size === null ? 0 : Number(size[1]) * (size[2] === undefined ? 1 : UNIT_BYTES[size[2] as keyof typeof UNIT_BYTES]);
  if (!Number.isSafeInteger(bytes) || bytes <= 0) {
    throw new UsageError(`${flag} must be a size such as 1048576, 512KiB, 32MiB or 1GiB, got "${value}"`);
  }
  return bytes;
}

/** Resolves when the process is asked to stop (SIGTERM, or SIGINT from a terminal). */
export function stopRequested(): Promise<NodeJS.Signals> {
  return new Promise((resolveSignal) => {
    process.once('SIGTERM', () => resolveSignal('SIGTERM'));
    process.once('SIGINT', () => resolveSignal('SIGINT'));
  });
}
