import { createLogger } from '../server/logging';
import { openWorkerStore } from '../server/start';
import { parseFlags, stopRequested, UsageError, type Command } from './command';
import { defaultWorkerDir, parseRunFlags, runFlags, runFlagsUsage, startWorkerPool } from './workers';

const usage = `Usage: liftgate worker --database-url postgres://… --endpoint URL [options]

Executes runs from the PostgreSQL that \`liftgate serve\` replicas share (SPEC §7.2): claims runs with FOR UPDATE
SKIP LOCKED, so each run is executed by exactly one worker on any number of machines, and keeps a lease on each run
it holds; a run whose worker dies is FAILED ("worker lost") once its lease runs out.

Options:
  --database-url URL              the control plane's PostgreSQL (or LIFTGATE_DATABASE_URL)
  --endpoint URL                  the control plane's URL as runs reach it (their Terraform state)
  --public-url URL                the base of run pages linked from Bitbucket (default: --endpoint)
  --concurrency N                 runs executed at once (default 1)
${runFlagsUsage}
  -h, --help                      show this help

LIFTGATE_ENCRYPTION_KEY must be the control plane's key: stacks' secret variables and integrations' tokens are
sealed with it. None of the worker's own environment reaches a run. SIGTERM or SIGINT stops claiming, lets the runs
in hand finish, and exits 0.`;

function httpUrl(value: string | undefined, flag: string): string | undefined {
  if (value === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) throw new UsageError(`${flag} must be an http(s) URL, got "${value}"`);
  return value.replace(/\/+$/, '');
}

function parseWorkerFlags(args: string[], env: NodeJS.ProcessEnv) {
  const { values } = parseFlags(args, {
    'database-url': { type: 'string' },
    endpoint: { type: 'string' },
    'public-url': { type: 'string' },
    concurrency: { type: 'string' },
    ...runFlags,
  });
  const databaseUrl = values['database-url'] ?? env.LIFTGATE_DATABASE_URL;
  if (databaseUrl === undefined || !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new UsageError('--database-url (or LIFTGATE_DATABASE_URL) must be the postgres:// URL of the control plane\'s PostgreSQL');
  }
  const endpoint = httpUrl(values.endpoint, '--endpoint');
  if (endpoint === undefined) throw new UsageError('--endpoint is required: the control plane\'s URL, which runs use for their Terraform state');
  const concurrency = Number(values.concurrency ?? '1');
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) throw new UsageError(`--concurrency must be a whole number from 1 to 64, got "${values.concurrency}"`);
  return { databaseUrl, endpoint, publicUrl: httpUrl(values['public-url'], '--public-url'), concurrency, runs: parseRunFlags(values, defaultWorkerDir()) };
}

export const workerCommand: Command = {
  name: 'worker',
  summary: 'execute runs from the PostgreSQL shared with liftgate serve replicas',
  usage,
  async run(args) {
    const config = parseWorkerFlags(args, process.env);
    const stop = stopRequested();
    const logger = createLogger();
    const store = await openWorkerStore({ databaseUrl: config.databaseUrl, encryptionKey: process.env.LIFTGATE_ENCRYPTION_KEY, endpoint: config.endpoint, publicUrl: config.publicUrl });
    try {
      const pool = startWorkerPool(store.runHost, config.runs, config.concurrency, (error) => logger.error({ err: error }, 'worker pool'));
      logger.info({ workerId: pool.workerId, concurrency: config.concurrency, endpoint: config.endpoint, workDir: config.runs.workDir }, 'worker started');
      process.stderr.write(`liftgate: worker ${pool.workerId} executing up to ${config.concurrency} run(s) for ${config.endpoint}\n`);
      const signal = await stop;
      logger.info({ signal }, 'stopping: no new runs; finishing the runs in hand');
      await pool.stop();
      return 0;
    } finally {
      await store.close();
      logger.flush();
    }
  },
};
