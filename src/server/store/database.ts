import { chmodSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { PGlite as PGliteClass } from '@electric-sql/pglite';
import { Pool, type PoolClient } from 'pg';

/** Something SQL can be run on: the database itself, or one open transaction. */
export interface Queryable {
  /** Runs one statement with `$1`-style parameters and resolves to its rows. */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
}

/**
 * The store's one view of PostgreSQL, the same for the embedded engine (PGlite, a directory) and a real server
 * (pg, a pool). SQL written against it is plain PostgreSQL and runs unchanged on both.
 */
export interface Database extends Queryable {
  /** Which engine this is ("pglite" or "postgres"); for logs and diagnostics only. */
  readonly engine: 'pglite' | 'postgres';
  /**
   * Runs `work` inside one transaction: committed when it resolves, rolled back when it throws.
   * Work on `tx` never interleaves with other statements on the same connection.
   */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * Every committed change to the rows a ReadCache may keep (see migration 010), told before the statement that
   * committed it resolves. Null when this process cannot see every write as it commits: a PostgreSQL server is shared
   * with other replicas, whose changes would only reach it later.
   */
  readonly changes: ChangeFeed | null;
  close(): Promise<void>;
}

/** Tells its subscribers that rows they may have kept changed; `subscribe` returns the unsubscribe function. */
export interface ChangeFeed {
  subscribe(listener: () => void): () => void;
}

/** The channel migration 010's triggers notify. */
export const READS_CHANGED_CHANNEL = 'liftgate_reads_changed';

export type DatabaseOptions =
  /** Embedded PGlite kept in this directory; `memory://` keeps it in memory (nothing survives close). */
  | { dataDir: string }
  /** A PostgreSQL server, e.g. `postgres://user:pass@host:5432/db`. */
  | { url: string; maxConnections?: number };

/** Resolves when the database answers a trivial statement (for health checks). */
export async function ping(db: Queryable): Promise<void> {
  await db.query('SELECT 1');
}

/** A failed statement, with PostgreSQL's SQLSTATE (e.g. 23505 unique violation) when the server gave one. */
export function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * A failed statement as the store reports it: PostgreSQL's SQLSTATE, message, and the table and constraint it
 * concerns. Deliberately not the statement's parameters (an insert carries sealed secrets, a query an API key
 * hash) nor PostgreSQL's `detail`, which quotes row values: errors end up in logs.
 */
export class StoreError extends Error {
  override readonly name = 'StoreError';
  constructor(
    message: string,
    readonly code: string | undefined,
    readonly table: string | undefined,
    readonly constraint: string | undefined,
  ) {
    super(message);
  }
}

function storeError(error: unknown): unknown {
  // Duck-typed: PGlite may be loaded outside the caller's realm (see loadPglite), where its errors are not `Error`s.
  const fields = error as { message?: unknown; code?: unknown; table?: unknown; constraint?: unknown } | null;
  if (error instanceof StoreError || typeof fields !== 'object' || fields === null || typeof fields.message !== 'string') return error;
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  return new StoreError(fields.message, text(fields.code), text(fields.table), text(fields.constraint));
}

/** `run` with any failure it throws reported as a StoreError. */
async function reported<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw storeError(error);
  }
}

export const UNIQUE_VIOLATION = '23505';
export const FOREIGN_KEY_VIOLATION = '23503';

/** Opens the database and brings its schema up to date with the migrations in ./migrations. */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  const database = 'url' in options ? openPostgres(options.url, options.maxConnections) : await openPglite(options.dataDir);
  try {
    await migrate(database);
  } catch (error) {
    await database.close();
    throw error;
  }
  return database;
}

/**
 * PGlite's WebAssembly bootstrap calls dynamic import(), which module sandboxes built on node:vm refuse (jest's,
 * which compiles every module it loads; see electric-sql/pglite#224). Loading it with a require made by Node's own
 * `module` builtin (process.getBuiltinModule reaches the real one even inside such a sandbox) keeps PGlite in
 * Node's loader, where import() always works. Outside a sandbox this is an ordinary require.
 */
function loadPglite(): typeof PGliteClass {
  const nodeModule = process.getBuiltinModule?.('node:module') ?? require('node:module');
  return (nodeModule.createRequire(__filename)('@electric-sql/pglite') as { PGlite: typeof PGliteClass }).PGlite;
}

/** Directories this process has open with PGlite. */
const openPgliteDirs = new Set<string>();

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Claims a PGlite directory for this process. PGlite has no postmaster to stop a second process from opening the
 * same files, and two writers corrupt them; a lock file with the owner's pid does. A lock left by a process that
 * no longer runs (killed, crashed) is taken over. Returns the release function.
 */
function lockPgliteDir(dataDir: string): () => void {
  const dir = resolve(dataDir);
  // Beside the directory, not in it: PGlite's initdb wants an empty directory.
  const lockFile = `${dir}.lock`;
  if (openPgliteDirs.has(dir)) throw new Error(`the store in ${dir} is already open in this process`);
  try {
    writeFileSync(lockFile, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const owner = Number(readFileSync(lockFile, 'utf8').trim());
    if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && processIsAlive(owner)) {
      throw new Error(`the store in ${dir} is in use by another process (pid ${owner}); stop it first`);
    }
    writeFileSync(lockFile, `${process.pid}\n`);
  }
  openPgliteDirs.add(dir);
  return () => {
    openPgliteDirs.delete(dir);
    rmSync(lockFile, { force: true });
  };
}

/**
 * Makes a directory tree readable and writable by its owner only: 0700 directories, 0600 files. PGlite creates its
 * files world-writable (0666, whatever the umask), and the store holds sealed secrets and everything else; a store
 * made before this was done, or copied with other modes, is tightened the same way. Links are left alone.
 */
export function restrictToOwner(dir: string): void {
  chmodSync(dir, 0o700);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) restrictToOwner(path);
    else if (entry.isFile() && (lstatSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
  }
}

async function openPglite(dataDir: string): Promise<Database> {
  const inMemory = dataDir.startsWith('memory://');
  if (!inMemory) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    restrictToOwner(dataDir);
  }
  const unlock = inMemory ? () => undefined : lockPgliteDir(dataDir);
  let pglite: PGliteClass;
  try {
    pglite = await loadPglite().create(dataDir);
    // initdb has just created (or PGlite re-created) files with its own modes.
    if (!inMemory) restrictToOwner(dataDir);
  } catch (error) {
    unlock();
    throw error;
  }
  // This process is the store's only writer (the lock above), so it hears of every change as it commits: PGlite calls
  // the listener in a microtask it queues while reading the statement's answer, before that statement resolves.
  const listeners = new Set<() => void>();
  try {
    await pglite.listen(READS_CHANGED_CHANNEL, () => {
      for (const listener of listeners) listener();
    });
  } catch (error) {
    await pglite.close().finally(unlock);
    throw error;
  }
  // PGlite is one connection. Its query() and transaction() each hold its exclusive transaction lock,
  // so a transaction's statements can never interleave with statements issued elsewhere meanwhile.
  return {
    engine: 'pglite',
    changes: {
      subscribe(listener) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    },
    async query<T>(sql: string, params: unknown[] = []) {
      return reported(async () => (await pglite.query<T>(sql, params)).rows);
    },
    transaction<T>(work: (tx: Queryable) => Promise<T>) {
      return pglite.transaction(async (tx) =>
        work({
          async query<R>(sql: string, params: unknown[] = []) {
            return reported(async () => (await tx.query<R>(sql, params)).rows);
          },
        }),
      );
    },
    async close() {
      try {
        await pglite.close();
        // Files PGlite created while it ran (new relations, WAL segments) get the same modes.
        if (!inMemory) restrictToOwner(dataDir);
      } finally {
        unlock();
      }
    },
  };
}

function openPostgres(url: string, maxConnections = 10): Database {
  const pool = new Pool({ connectionString: url, max: maxConnections });
  // An idle client that loses its server (restart, network) emits 'error'; the pool replaces it, so this must
  // not crash the process.
  pool.on('error', () => undefined);
  const queryable = (client: Pool | PoolClient): Queryable => ({
    async query<T>(sql: string, params: unknown[] = []) {
      return reported(async () => (await client.query(sql, params)).rows as T[]);
    },
  });
  return {
    engine: 'postgres',
    changes: null,
    ...queryable(pool),
    async transaction<T>(work: (tx: Queryable) => Promise<T>) {
      const client = await reported(() => pool.connect());
      let broken = false;
      try {
        await client.query('BEGIN');
        const result = await work(queryable(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        try {
          await client.query('ROLLBACK');
        } catch {
          broken = true;
        }
        throw error;
      } finally {
        client.release(broken);
      }
    },
    close: () => pool.end(),
  };
}

const migrationsDir = join(__dirname, 'migrations');

/** The numbered `NNN_name.sql` files, in order. */
export function listMigrations(dir = migrationsDir): { version: number; name: string; sql: string }[] {
  return readdirSync(dir)
    .filter((file) => /^\d{3}_[\w-]+\.sql$/.test(file))
    .sort()
    .map((file) => ({ version: Number(file.slice(0, 3)), name: file, sql: readFileSync(join(dir, file), 'utf8') }));
}

/**
 * Applies every migration not yet recorded in schema_migrations, each in its own transaction together with
 * its record. An advisory lock makes replicas sharing one PostgreSQL apply them once.
 */
export async function migrate(database: Database, dir = migrationsDir): Promise<void> {
  await database.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(7100001)');
    await tx.query(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
         version integer PRIMARY KEY,
         name text NOT NULL,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
  });
  for (const migration of listMigrations(dir)) {
    await database.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(7100001)');
      const applied = await tx.query('SELECT 1 FROM schema_migrations WHERE version = $1', [migration.version]);
      if (applied.length > 0) return;
      for (const statement of splitStatements(migration.sql)) await tx.query(statement);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
    });
  }
}

/**
 * Splits a migration into statements at semicolons that end a line, because the extended query protocol both
 * engines use for parameterized queries takes one statement at a time. Migrations keep to that layout.
 */
function splitStatements(sql: string): string[] {
  return sql
    .split(/;\s*$/m)
    .map((statement) => statement.replace(/^\s*--.*$/gm, '').trim())
    .filter((statement) => statement.length > 0);
}
