import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describeBitbucketHostPolicy, type BitbucketHostPolicy } from '../domain/bitbucket-hosts';
import { createLogger } from '../server/logging';
import { startControlPlane } from '../server/start';
import { parseAllowedBitbucketHosts, runFlags, runFlagsUsage, parseRunFlags, startWorkerPool, type RunConfig } from './workers';
import type { WorkerPool } from '../worker/pool';
import { stopRequested, parseByteSize, parseDuration, parseFlags, parsePort, UsageError, type Command } from './command';

const usage = `Usage: liftgate serve [options]

Runs the Liftgate control plane: the web console at /, the REST API under /api/v1 and the Bitbucket webhook
receiver.

Options:
  --host HOST                     address to listen on (default 127.0.0.1)
  --port PORT                     port to listen on (default 8710; 0 picks a free one)
  --data-dir DIR                  where the embedded store, admin.key and encryption.key live (default .liftgate)
  --database-url URL              use this PostgreSQL (postgres://user@host:5432/db) instead of the embedded store;
                                  LIFTGATE_DATABASE_URL may replace it (keeps the URL out of the process list)
  --database-password-file FILE   read the PostgreSQL password from FILE instead of the URL
  --public-url URL                base of webhook URLs Bitbucket calls (default http(s)://<host>:<port>)
  --tls-cert FILE                 serve HTTPS with this PEM certificate (chain); needs --tls-key. Terraform reaches
                                  the module registry only over HTTPS (or put a TLS proxy in front, with --public-url)
  --tls-key FILE                  the PEM private key of --tls-cert
  --allowed-bitbucket-hosts LIST  the Bitbucket hosts integrations may use, comma-separated (default "*"):
                                    *               any https host except loopback, link-local and 0.0.0.0
                                    loopback        also hosts on this machine, over http or https (an emulator)
                                    HOST[:PORT]     exactly this host name or IP address
                                    *.DOMAIN[:PORT] any host under DOMAIN (not on loopback or link-local addresses)
                                  e.g. --allowed-bitbucket-hosts bitbucket.example.com
  --delivery-retention DURATION   how long the webhook delivery log keeps an entry: 30m, 24h, 7d (default 30d)
  --max-state-bytes SIZE          the largest Terraform state a stack may store: 1048576, 512KiB, 32MiB, 1GiB
                                  (default 32MiB); a larger write is refused with 413
  --workers N                     runs executed at once by this process (default 1; 0: API only, runs wait for
                                  \`liftgate worker\` processes on the same PostgreSQL)
${runFlagsUsage}
  -h, --help                      show this help

On the first start with an empty store, the root-admin API key is written to <data-dir>/admin.key (mode 0600)
and that path is printed. Access tokens, webhook secrets, Terraform states and secret environment variables are
encrypted with LIFTGATE_ENCRYPTION_KEY (32 bytes, hex or base64) or, when it is not set, with a key generated into
<data-dir>/encryption.key. The data directory and the embedded store are made readable by their owner only
(0700/0600) on every start.
Logs are JSON lines on stdout. SIGTERM or SIGINT finishes the requests in flight and exits 0.`;

interface ServeConfig {
  workers: number;
  runs: RunConfig;
  host: string;
  port: number;
  dataDir: string;
  databaseUrl: string | undefined;
  publicUrl: string | undefined;
  allowedBitbucketHosts: BitbucketHostPolicy;
  deliveryRetentionSeconds: number;
  maxStateBytes: number;
  tls: { cert: Buffer; key: Buffer } | undefined;
}

/** The certificate and key of --tls-cert and --tls-key, read now so a wrong path fails the start, not the first request. */
function tlsFrom(certFile: string | undefined, keyFile: string | undefined): ServeConfig['tls'] {
  if (certFile === undefined && keyFile === undefined) return undefined;
  if (certFile === undefined || keyFile === undefined) throw new UsageError('--tls-cert and --tls-key go together: give both');
  const read = (file: string, flag: string) => {
    try {
      return readFileSync(file);
    } catch (error) {
      throw new UsageError(`${flag}: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  };
  return { cert: read(certFile, '--tls-cert'), key: read(keyFile, '--tls-key') };
}

/**
 * The PostgreSQL URL: --database-url, else LIFTGATE_DATABASE_URL; with --database-password-file the password is
 * read from that file (its first line) and put into the URL here, in memory, so it never has to appear in `ps`.
 */
function databaseUrlFrom(flag: string | undefined, passwordFile: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  const source = flag !== undefined ? '--database-url' : 'LIFTGATE_DATABASE_URL';
  const value = flag ?? (env.LIFTGATE_DATABASE_URL === '' ? undefined : env.LIFTGATE_DATABASE_URL);
  if (value === undefined) {
    if (passwordFile !== undefined) throw new UsageError('--database-password-file needs --database-url or LIFTGATE_DATABASE_URL');
    return undefined;
  }
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url === undefined || !/^postgres(ql)?:$/.test(url.protocol) || /\s/.test(value)) {
    // The value may hold a password: name the problem, not the value.
    throw new UsageError(`${source} must be a postgres:// or postgresql:// URL`);
  }
  if (passwordFile === undefined) return value;
  if (url.password !== '') throw new UsageError(`${source} already holds a password; give it once (drop it from the URL or --database-password-file)`);
  let password: string;
  try {
    password = (readFileSync(passwordFile, 'utf8').split(/\r?\n/)[0] ?? '').trim();
  } catch (error) {
    throw new UsageError(`--database-password-file: cannot read ${passwordFile}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  if (password === '') throw new UsageError(`--database-password-file: ${passwordFile} is empty`);
  url.password = encodeURIComponent(password);
  return url.toString();
}

function parseServeFlags(args: string[], env: NodeJS.ProcessEnv): ServeConfig {
  const { values } = parseFlags(args, {
    host: { type: 'string' },
    port: { type: 'string' },
    'data-dir': { type: 'string' },
    'database-url': { type: 'string' },
    'database-password-file': { type: 'string' },
    'public-url': { type: 'string' },
    'allowed-bitbucket-hosts': { type: 'string' },
    'delivery-retention': { type: 'string' },
    'max-state-bytes': { type: 'string' },
    workers: { type: 'string' },
    ...runFlags,
    'tls-cert': { type: 'string' },
    'tls-key': { type: 'string' },
  });
  const host = values.host ?? '127.0.0.1';
  if (host.trim() === '') throw new UsageError('--host must not be empty');
  const databaseUrl = databaseUrlFrom(values['database-url'], values['database-password-file'], env);
  const allowedBitbucketHosts = parseAllowedBitbucketHosts(values['allowed-bitbucket-hosts']);
  const publicUrl = values['public-url'];
  if (publicUrl !== undefined) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(publicUrl);
    } catch {
      parsed = undefined;
    }
    if (parsed === undefined || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || parsed.search !== '' || parsed.hash !== '') {
      throw new UsageError(`--public-url must be an http(s) URL without query or fragment, got "${publicUrl}"`);
    }
  }
  const dataDir = values['data-dir'] ?? '.liftgate';
  if (dataDir.trim() === '') throw new UsageError('--data-dir must not be empty');
  const workers = Number(values.workers ?? '1');
  if (!Number.isInteger(workers) || workers < 0 || workers > 64) throw new UsageError(`--workers must be a whole number from 0 to 64, got "${values.workers}"`);
  return {
    workers,
    runs: parseRunFlags(values, join(resolve(dataDir), 'runs')),
    host,
    port: values.port === undefined ? 8710 : parsePort(values.port, '--port'),
    dataDir: resolve(dataDir),
    databaseUrl,
    publicUrl,
    allowedBitbucketHosts,
    deliveryRetentionSeconds: parseDuration(values['delivery-retention'] ?? '30d', '--delivery-retention') / 1000,
    maxStateBytes: parseByteSize(values['max-state-bytes'] ?? '32MiB', '--max-state-bytes'),
    tls: tlsFrom(values['tls-cert'], values['tls-key']),
  };
}

export const serveCommand: Command = {
  name: 'serve',
  summary: 'run the control plane (web console, REST API and Bitbucket webhook receiver)',
  usage,
  async run(args) {
    const config = parseServeFlags(args, process.env);
    const stop = stopRequested();
    const logger = createLogger();
    let pool: WorkerPool | undefined;
    try {
      const controlPlane = await startControlPlane({
        dataDir: config.dataDir,
        databaseUrl: config.databaseUrl,
        encryptionKeyFromEnvironment: process.env.LIFTGATE_ENCRYPTION_KEY,
        host: config.host,
        port: config.port,
        publicUrl: config.publicUrl,
        logger,
        allowedBitbucketHosts: config.allowedBitbucketHosts,
        deliveryRetentionSeconds: config.deliveryRetentionSeconds,
        maxStateBytes: config.maxStateBytes,
        tls: config.tls,
        consoleDir: join(__dirname, '..', 'console'),
        runsQueued: (work) => pool?.poke(work),
      });
      pool = config.workers > 0 ? startWorkerPool(controlPlane.runHost, config.runs, { hosts: config.allowedBitbucketHosts, agents: controlPlane.app.vcsAgents }, config.workers, (error) => logger.error({ err: error }, 'worker pool')) : undefined;
      logger.info(
        {
          store: controlPlane.store,
          encryptionKey: controlPlane.encryptionKeySource,
          dataDir: config.dataDir,
          allowedBitbucketHosts: describeBitbucketHostPolicy(config.allowedBitbucketHosts),
          deliveryRetentionSeconds: config.deliveryRetentionSeconds,
          maxStateBytes: config.maxStateBytes,
        },
        'control plane started',
      );
      const { adminKeyFile } = controlPlane;
      if (adminKeyFile !== null) {
        logger.info({ adminKeyFile }, `root-admin API key written to ${adminKeyFile}`);
        process.stderr.write(`liftgate: root-admin API key written to ${adminKeyFile} (readable only by you)\n`);
      }
      process.stderr.write(`liftgate: control plane listening on ${controlPlane.url}\n`);

      const signal = await stop;
      logger.info({ signal }, 'stopping: finishing requests in flight and the runs in hand');
      await pool?.stop();
      await controlPlane.close();
      return 0;
    } finally {
      logger.flush();
    }
  },
};
