import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildApp } from '../server/app';
import { checkEncryptionKey, writeRootAdminKeyIfFresh } from '../server/bootstrap';
import { createLogger } from '../server/logging';
import { loadEncryptionKey, SecretBox } from '../server/secrets';
import { openDatabase, type Database } from '../server/store/database';
import { parseFlags, parsePort, UsageError, type Command } from './command';

const usage = `Usage: liftgate serve [options]

Runs the Liftgate control plane: the web console at /, the REST API under /api/v1 and the Bitbucket webhook
receiver.

Options:
  --host HOST            address to listen on (default 127.0.0.1)
  --port PORT            port to listen on (default 8710; 0 picks a free one)
  --data-dir DIR         where the embedded store, admin.key and encryption.key live (default .liftgate)
  --database-url URL     use this PostgreSQL (postgres://user:pass@host:5432/db) instead of the embedded store
  --public-url URL       base of webhook URLs Bitbucket calls (default http://<host>:<port>)
  -h, --help             show this help

On the first start with an empty store, the root-admin API key is written to <data-dir>/admin.key (mode 0600)
and that path is printed. Access tokens are encrypted with LIFTGATE_ENCRYPTION_KEY (32 bytes, hex or base64)
or, when it is not set, with a key generated into <data-dir>/encryption.key.
Logs are JSON lines on stdout. SIGTERM or SIGINT finishes the requests in flight and exits 0.`;

interface ServeConfig {
  host: string;
  port: number;
  dataDir: string;
  databaseUrl: string | undefined;
  publicUrl: string | undefined;
}

function parseServeFlags(args: string[]): ServeConfig {
  const { values } = parseFlags(args, {
    host: { type: 'string' },
    port: { type: 'string' },
    'data-dir': { type: 'string' },
    'database-url': { type: 'string' },
    'public-url': { type: 'string' },
  });
  const host = values.host ?? '127.0.0.1';
  if (host.trim() === '') throw new UsageError('--host must not be empty');
  const databaseUrl = values['database-url'];
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\/\S+$/.test(databaseUrl)) {
    throw new UsageError(`--database-url must be a postgres:// or postgresql:// URL, got "${databaseUrl}"`);
  }
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
  return {
    host,
    port: values.port === undefined ? 8710 : parsePort(values.port, '--port'),
    dataDir: resolve(dataDir),
    databaseUrl,
    publicUrl,
  };
}

/** `http://host:port`, with IPv6 literals in brackets. */
function originFor(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** Resolves when the process is asked to stop (SIGTERM, or SIGINT from a terminal). */
function stopRequested(): Promise<NodeJS.Signals> {
  return new Promise((resolveSignal) => {
    process.once('SIGTERM', () => resolveSignal('SIGTERM'));
    process.once('SIGINT', () => resolveSignal('SIGINT'));
  });
}

export const serveCommand: Command = {
  name: 'serve',
  summary: 'run the control plane (web console, REST API and Bitbucket webhook receiver)',
  usage,
  async run(args) {
    const config = parseServeFlags(args);
    const stop = stopRequested();
    mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    const logger = createLogger();
    const { key, source } = loadEncryptionKey({
      fromEnvironment: process.env.LIFTGATE_ENCRYPTION_KEY,
      keyFile: join(config.dataDir, 'encryption.key'),
    });
    let db: Database | undefined;
    try {
      db = await openDatabase(config.databaseUrl !== undefined ? { url: config.databaseUrl } : { dataDir: join(config.dataDir, 'pgdata') });
      await checkEncryptionKey(db, new SecretBox(key));
      const adminKeyFile = await writeRootAdminKeyIfFresh(db, join(config.dataDir, 'admin.key'));
      let listeningPort = config.port;
      const app = await buildApp({
        db,
        publicUrl: config.publicUrl ?? (() => originFor(config.host, listeningPort)),
        encryptionKey: key,
        logger,
        consoleDir: join(__dirname, '..', 'console'),
      });
      await app.listen({ host: config.host, port: config.port });
      listeningPort = (app.server.address() as { port: number }).port;
      const store = config.databaseUrl !== undefined ? 'postgres' : `pglite (${join(config.dataDir, 'pgdata')})`;
      logger.info({ store, encryptionKey: source, dataDir: config.dataDir }, 'control plane started');
      if (adminKeyFile !== null) {
        logger.info({ adminKeyFile }, `root-admin API key written to ${adminKeyFile}`);
        process.stderr.write(`liftgate: root-admin API key written to ${adminKeyFile} (readable only by you)\n`);
      }
      process.stderr.write(`liftgate: control plane listening on ${originFor(config.host, listeningPort)}\n`);

      const signal = await stop;
      logger.info({ signal }, 'stopping: finishing requests in flight');
      // close() stops accepting connections and resolves once in-flight requests are answered.
      await app.close();
      return 0;
    } finally {
      await db?.close();
      logger.flush();
    }
  },
};
