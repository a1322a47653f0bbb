import { spawn, spawnSync } from 'node:child_process';
import { inspect } from 'node:util';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listMigrations, migrate, openDatabase, sqlState, UNIQUE_VIOLATION, type ChangeFeed, type Database, type DatabaseOptions } from '../../../src/server/store/database';
import { latch } from '../../helpers/latch';
import { startPostgres, type PostgresCluster } from '../../helpers/postgres';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(['pglite', 'postgres'] as const)('Database [%s]', (engine) => {
  let cluster: PostgresCluster | null = null;
  let pgliteDir = '';
  let databaseCount = 0;
  /** Options for a fresh, empty database of this engine; PGlite in memory unless it must outlive close(). */
  const freshOptions = async (persistent = false): Promise<DatabaseOptions> => {
    databaseCount += 1;
    if (engine === 'postgres') return { url: await (cluster as PostgresCluster).createDatabase(`store_${databaseCount}`) };
    return { dataDir: persistent ? join(pgliteDir, `db${databaseCount}`) : 'memory://' };
  };
  let db: Database;

  beforeAll(async () => {
    if (engine === 'postgres') cluster = await startPostgres();
    pgliteDir = mkdtempSync(join(tmpdir(), 'liftgate-store-'));
    db = await openDatabase(await freshOptions());
    await db.query('CREATE TABLE counters (name text PRIMARY KEY, value integer NOT NULL)');
  }, 60_000);
  afterAll(async () => {
    await db?.close();
    await cluster?.stop();
    rmSync(pgliteDir, { recursive: true, force: true });
  });
  beforeEach(() => db.query('TRUNCATE counters'));

  it('applies every numbered migration once and records it', async () => {
    const applied = await db.query<{ version: number; name: string }>('SELECT version, name FROM schema_migrations ORDER BY version');
    expect(applied.map((row) => row.name)).toEqual(listMigrations().map((migration) => migration.name));
    expect(applied[0]).toEqual({ version: 1, name: '001_core.sql' });
    await migrate(db);
    expect(await db.query('SELECT version FROM schema_migrations')).toHaveLength(applied.length);
    expect(await db.query(`SELECT id FROM spaces`)).toEqual([{ id: 'root' }]);
  });

  it('applies new migrations in order, each atomically with its record', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'liftgate-migrations-'));
    try {
      writeFileSync(join(dir, '001_first.sql'), 'CREATE TABLE m_first (id integer);\nINSERT INTO m_first VALUES (1);\n');
      writeFileSync(join(dir, '002_broken.sql'), 'CREATE TABLE m_second (id integer);\nINSERT INTO no_such_table VALUES (1);\n');
      const target = await openDatabase(await freshOptions());
      try {
        await target.query('DELETE FROM schema_migrations');
        await expect(migrate(target, dir)).rejects.toThrow(/no_such_table/);
        expect(await target.query('SELECT version FROM schema_migrations ORDER BY version')).toEqual([{ version: 1 }]);
        // The broken migration left nothing behind: its table was rolled back with it.
        await expect(target.query('SELECT * FROM m_second')).rejects.toThrow();
        writeFileSync(join(dir, '002_broken.sql'), 'CREATE TABLE m_second (id integer);\n');
        await migrate(target, dir);
        expect(await target.query('SELECT version FROM schema_migrations ORDER BY version')).toEqual([{ version: 1 }, { version: 2 }]);
      } finally {
        await target.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('commits a transaction that resolves and rolls back one that throws', async () => {
    await db.transaction(async (tx) => {
      await tx.query(`INSERT INTO counters VALUES ('kept', 1)`);
    });
    await expect(
      db.transaction(async (tx) => {
        await tx.query(`INSERT INTO counters VALUES ('dropped', 1)`);
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(await db.query('SELECT name FROM counters ORDER BY name')).toEqual([{ name: 'kept' }]);
  });

  it('never lets a statement issued elsewhere see or join an open transaction', async () => {
    const inserted = latch<string[]>();
    const release = latch<void>();
    const during = db.transaction(async (tx) => {
      await tx.query(`INSERT INTO counters VALUES ('uncommitted', 1)`);
      inserted.open((await tx.query<{ name: string }>('SELECT name FROM counters')).map((row) => row.name));
      await release.opened;
      throw new Error('rolled back');
    });
    // Issued only once the transaction holds the row: on PostgreSQL it runs beside it, on PGlite it waits for it.
    expect(await inserted.opened).toEqual(['uncommitted']);
    const seen = db.query('SELECT name FROM counters');
    release.open();
    await expect(during).rejects.toThrow('rolled back');
    expect(await seen).toEqual([]);
    expect(await db.query('SELECT name FROM counters')).toEqual([]);
  });

  it('keeps concurrent read-modify-write transactions from losing updates', async () => {
    await db.query(`INSERT INTO counters VALUES ('hits', 0)`);
    await Promise.all(
      Array.from({ length: 8 }, () =>
        db.transaction(async (tx) => {
          const [row] = await tx.query<{ value: number }>(`SELECT value FROM counters WHERE name = 'hits' FOR UPDATE`);
          await sleep(5);
          await tx.query(`UPDATE counters SET value = $1 WHERE name = 'hits'`, [(row?.value ?? 0) + 1]);
        }),
      ),
    );
    expect(await db.query(`SELECT value FROM counters WHERE name = 'hits'`)).toEqual([{ value: 8 }]);
  });

  it('reports SQLSTATE codes for constraint violations', async () => {
    await db.query(`INSERT INTO counters VALUES ('unique', 1)`);
    const failure = await db.query(`INSERT INTO counters VALUES ('unique', 2)`).catch((error: unknown) => error);
    expect(sqlState(failure)).toBe(UNIQUE_VIOLATION);
  });

  it('reports a failed statement without its parameters or the row values PostgreSQL quotes', async () => {
    await db.query(`INSERT INTO counters VALUES ('quoted', 1)`);
    const failures = [
      await db.query('INSERT INTO counters VALUES ($1, 2)', ['quoted']).catch((error: unknown) => error),
      await db.query('INSERT INTO counters VALUES ($1, NULL)', ['SECRET-VALUE-1']).catch((error: unknown) => error),
      await db.transaction((tx) => tx.query('INSERT INTO counters VALUES ($1, NULL)', ['SECRET-VALUE-2'])).catch((error: unknown) => error),
    ];
    expect(failures.map(sqlState)).toEqual([UNIQUE_VIOLATION, '23502', '23502']);
    for (const failure of failures) {
      expect(failure).toMatchObject({ name: 'StoreError', table: 'counters' });
      const shown = `${inspect(failure)} ${JSON.stringify(failure)}`;
      expect(shown).not.toMatch(/SECRET-VALUE|Key \(name\)=|Failing row/);
    }
  });

  it('keeps data across close and reopen', async () => {
    const options = await freshOptions(true);
    const first = await openDatabase(options);
    await first.query(`INSERT INTO settings (name, value) VALUES ('survives', 'yes')`);
    await first.close();
    const second = await openDatabase(options);
    try {
      expect(await second.query(`SELECT value FROM settings WHERE name = 'survives'`)).toEqual([{ value: 'yes' }]);
    } finally {
      await second.close();
    }
  }, 60_000);

  if (engine === 'pglite') {
    it('locks a directory to one process: takes over a stale lock, refuses a second open and a live owner', async () => {
      const options = (await freshOptions(true)) as { dataDir: string };
      const lockFile = `${options.dataDir}.lock`;
      const alive = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
      try {
        mkdirSync(pgliteDir, { recursive: true });
        const exited = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
        writeFileSync(lockFile, `${exited.stdout.toString()}\n`);
        const opened = await openDatabase(options);
        expect(readFileSync(lockFile, 'utf8').trim()).toBe(String(process.pid));
        await expect(openDatabase(options)).rejects.toThrow(/already open in this process/);
        await opened.close();
        expect(existsSync(lockFile)).toBe(false);
        writeFileSync(lockFile, `${alive.pid}\n`);
        await expect(openDatabase(options)).rejects.toThrow(`in use by another process (pid ${alive.pid})`);
      } finally {
        alive.kill('SIGKILL');
      }
    }, 60_000);
  }

  if (engine === 'pglite') {
    /** Every file and directory under `dir` whose mode lets anyone but the owner in. */
    const openToOthers = (dir: string): string[] =>
      readdirSync(dir, { recursive: true, withFileTypes: true })
        .map((entry) => join(entry.parentPath ?? (entry as { path: string }).path, entry.name))
        .filter((path) => (statSync(path).mode & 0o077) !== 0);

    it('keeps its directory and files readable by the owner only, and tightens a store found with wider modes', async () => {
      const options = (await freshOptions(true)) as { dataDir: string };
      const store = await openDatabase(options);
      await store.query(`INSERT INTO settings (name, value) VALUES ('private', 'yes')`);
      await store.close();
      expect(statSync(options.dataDir).mode & 0o777).toBe(0o700);
      expect(openToOthers(options.dataDir)).toEqual([]);
      // What an older Liftgate (or a copy with default modes) leaves behind: world-writable files.
      for (const path of [options.dataDir, ...readdirSync(options.dataDir, { recursive: true }).map((name) => join(options.dataDir, String(name)))]) {
        chmodSync(path, statSync(path).isDirectory() ? 0o777 : 0o666);
      }
      const reopened = await openDatabase(options);
      try {
        expect(statSync(options.dataDir).mode & 0o777).toBe(0o700);
        expect(openToOthers(options.dataDir)).toEqual([]);
        expect(await reopened.query(`SELECT value FROM settings WHERE name = 'private'`)).toEqual([{ value: 'yes' }]);
      } finally {
        await reopened.close();
      }
    }, 60_000);
  }

  if (engine === 'pglite') {
    it('reports every committed change to the rows reads are kept of, before the write resolves; none for other rows', async () => {
      const feed = db.changes as ChangeFeed;
      let changes = 0;
      const unsubscribe = feed.subscribe(() => (changes += 1));
      /** How many changes were reported by the time `write` resolved. */
      const reported = async (write: () => Promise<unknown>): Promise<number> => {
        const before = changes;
        await write();
        return changes - before;
      };
      try {
        const writes: [string, () => Promise<unknown>][] = [
          ['a space', () => db.query(`INSERT INTO spaces (id, name, parent_space_id) VALUES ('feed', 'feed', 'root')`)],
          ['an API key', () => db.query(`INSERT INTO api_keys (id, name, secret_hash) VALUES ('feed', 'feed', 'feed-hash')`)],
          ['a role binding', () => db.query(`INSERT INTO role_bindings (api_key_id, space_id, role) VALUES ('feed', 'feed', 'read')`)],
          ['a binding changed', () => db.query(`UPDATE role_bindings SET role = 'admin' WHERE api_key_id = 'feed'`)],
          ['a module', () => db.query(`INSERT INTO modules (id, name, terraform_provider, space_id, project_key, repository_slug, branch)
                                       VALUES ('feed', 'feed', 'aws', 'feed', 'P', 'r', 'main')`)],
          ['a version', () => db.query(`INSERT INTO module_versions (module_id, version, tag, commit_id, state) VALUES ('feed', '1.0.0', 'v1.0.0', 'c', 'ACTIVE')`)],
          ['a version retracted', () => db.query(`UPDATE module_versions SET state = 'RETRACTED' WHERE module_id = 'feed'`)],
          ['in a transaction', () => db.transaction((tx) => tx.query(`UPDATE modules SET detached = true WHERE id = 'feed'`))],
          ['a cascade (module and versions deleted)', () => db.query(`DELETE FROM modules WHERE id = 'feed'`)],
          ['a key deleted with its bindings', () => db.query(`DELETE FROM api_keys WHERE id = 'feed'`)],
        ];
        for (const [what, write] of writes) expect([what, (await reported(write)) > 0]).toEqual([what, true]);
        // Rows no read is kept of, a rolled-back change, and reads: nothing reported.
        expect(await reported(() => db.query(`INSERT INTO counters (name, value) VALUES ('feed', 1)`))).toBe(0);
        expect(await reported(() => db.query(`SELECT * FROM api_keys`))).toBe(0);
        const rolledBack = db.transaction(async (tx) => {
          await tx.query(`DELETE FROM spaces WHERE id = 'feed'`);
          throw new Error('roll back');
        });
        expect(await reported(() => rolledBack.catch(() => undefined))).toBe(0);
      } finally {
        unsubscribe();
        await db.query(`DELETE FROM spaces WHERE id = 'feed'`);
      }
    });
  }

  if (engine === 'postgres') {
    it('reports no changes: other replicas write to the same server, so nothing read may be kept', () => {
      expect(db.changes).toBeNull();
    });

    it('lets replicas that start together on one PostgreSQL migrate it exactly once', async () => {
      const options = await freshOptions();
      const replicas = await Promise.all([openDatabase(options), openDatabase(options), openDatabase(options)]);
      try {
        const applied = await replicas[0]!.query('SELECT version FROM schema_migrations');
        expect(applied).toHaveLength(listMigrations().length);
      } finally {
        await Promise.all(replicas.map((replica) => replica.close()));
      }
    });
  }
});

