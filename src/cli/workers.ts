/**
 * The run-execution flags `liftgate serve` and `liftgate worker` share (SPEC §6, §7.2), and starting a worker pool on
 * a control plane's run host.
 */
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BitbucketFeedback, BitbucketSource, DEFAULT_MAX_SOURCE_BYTES } from '../worker/bitbucket';
import type { RunHost } from '../worker/host';
import { DEFAULT_GRACE_MS, DEFAULT_LEASE_MS, DEFAULT_RUN_TIMEOUT_MS, WorkerPool } from '../worker/pool';
import { DEFAULT_MAX_LOG_BYTES } from '../worker/run-log';
import { parseByteSize, UsageError, type FlagSpec, type FlagValues } from './command';

export const runFlags = {
  terraform: { type: 'string' },
  'terraform-cli-config': { type: 'string' },
  'run-timeout': { type: 'string' },
  'work-dir': { type: 'string' },
  'max-source-bytes': { type: 'string' },
  lease: { type: 'string' },
} satisfies Record<string, FlagSpec>;

export const runFlagsUsage = `  --terraform PATH                the terraform runs use (default: the one on PATH)
  --terraform-cli-config FILE     passed to runs as TF_CLI_CONFIG_FILE (e.g. a provider mirror for offline use)
  --run-timeout DURATION          each terraform phase of a run is cut after this and the run FAILED: 90s, 30m, 1h
                                  (default 1h)
  --work-dir DIR                  where runs get their fresh directories (removed after each run)
  --max-source-bytes SIZE         the largest source archive a run downloads (default 512MiB)
  --lease DURATION                how long a run stays claimed without a heartbeat before it is FAILED "worker lost"
                                  (default 30s; heartbeats come several times per lease)`;

export interface RunConfig {
  terraform: string;
  terraformCliConfig: string | undefined;
  runTimeoutMs: number;
  workDir: string;
  maxSourceBytes: number;
  leaseMs: number;
}

const SHORT_DURATION = /^(\d+)(s|m|h)$/;
const SHORT_UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000 } as const;

function parseShortDuration(value: string, flag: string): number {
  const duration = SHORT_DURATION.exec(value);
  if (duration === null || Number(duration[1]) === 0) throw new UsageError(`${flag} must be a duration such as 90s, 30m or 1h, got "${value}"`);
  return Number(duration[1]) * SHORT_UNIT_MS[duration[2] as keyof typeof SHORT_UNIT_MS];
}

export function parseRunFlags(values: FlagValues<typeof runFlags>, defaultWorkDir: string): RunConfig {
  const leaseMs = values.lease === undefined ? DEFAULT_LEASE_MS : parseShortDuration(values.lease, '--lease');
  if (leaseMs < 3000) throw new UsageError('--lease must be at least 3s');
  return {
    terraform: values.terraform ?? 'terraform',
    terraformCliConfig: values['terraform-cli-config'] === undefined ? undefined : resolve(values['terraform-cli-config']),
    runTimeoutMs: values['run-timeout'] === undefined ? DEFAULT_RUN_TIMEOUT_MS : parseShortDuration(values['run-timeout'], '--run-timeout'),
    workDir: resolve(values['work-dir'] ?? defaultWorkDir),
    maxSourceBytes: values['max-source-bytes'] === undefined ? DEFAULT_MAX_SOURCE_BYTES : parseByteSize(values['max-source-bytes'], '--max-source-bytes'),
    leaseMs,
  };
}

/** Where `liftgate worker` puts runs when no --work-dir is given. */
export const defaultWorkerDir = (): string => join(tmpdir(), 'liftgate-runs');

/** A pool of `concurrency` workers on `host`, started; stop() waits for the runs in hand. */
export function startWorkerPool(host: RunHost, config: RunConfig, concurrency: number, onError: (error: unknown) => void): WorkerPool {
  const pool = new WorkerPool(
    {
      concurrency,
      pollMs: 1000,
      sweepMs: Math.max(1000, Math.floor(config.leaseMs / 3)),
      workDir: config.workDir,
      terraform: config.terraform,
      terraformCliConfig: config.terraformCliConfig,
      runTimeoutMs: config.runTimeoutMs,
      graceMs: DEFAULT_GRACE_MS,
      leaseMs: config.leaseMs,
      maxLogBytes: DEFAULT_MAX_LOG_BYTES,
      onError,
    },
    { host, source: new BitbucketSource(config.maxSourceBytes), feedback: new BitbucketFeedback(host) },
  );
  pool.start();
  return pool;
}
