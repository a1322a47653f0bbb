import { execFile } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { freeLoopbackPort } from './ports';

const run = promisify(execFile);

/** A throwaway PostgreSQL cluster on a loopback port, removed by stop(). */
export interface PostgresCluster {
  readonly port: number;
  /** Connection URL of one database of the cluster (default: postgres). */
  url(database?: string): string;
  /** Creates an empty database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

/** Runs a PostgreSQL server program; as root through `runuser -u postgres`, because they refuse to run as root. */
async function runAsPostgres(program: string, args: string[], timeout = 60_000): Promise<void> {
  const asRoot = process.getuid?.() === 0;
  await run(asRoot ? 'runuser' : program, asRoot ? ['-u', 'postgres', '--', program, ...args] : args, { timeout });
}

async function postgresUid(): Promise<{ uid: number; gid: number }> {
  const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim());
  const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
  return { uid, gid };
}

/**
 * Starts a PostgreSQL cluster with the server programs on PATH (initdb, pg_ctl) in a temporary directory, on a
 * free 127.0.0.1 port, trust authentication, fsync off (a test cluster need not survive a power cut).
 */
export async function startPostgres(): Promise<PostgresCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'liftgate-pg-'));
  const dataDir = join(dir, 'data');
  try {
    if (process.getuid?.() === 0) {
      const { uid, gid } = await postgresUid();
      chownSync(dir, uid, gid);
    }
    await runAsPostgres('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync', '--no-instructions']);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`could not create a PostgreSQL cluster with initdb (PostgreSQL server programs on PATH?): ${(error as Error).message}`);
  }
  let port = 0;
  let started = false;
  for (let attempt = 0; attempt < 3 && !started; attempt++) {
    port = await freeLoopbackPort();
    try {
      await runAsPostgres('pg_ctl', [
        '-D', dataDir, '-w', '-t', '60', '-l', join(dir, 'server.log'),
        '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=100`,
        'start',
      ]);
      started = true;
    } catch (error) {
      // Another process may have taken the port between the probe and the start; try another one.
      if (attempt === 2) {
        rmSync(dir, { recursive: true, force: true });
        throw new Error(`could not start PostgreSQL: ${(error as Error).message}`);
      }
    }
  }
  const url = (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`;
  return {
    port,
    url,
    async createDatabase(name) {
      const client = new Client({ connectionString: url() });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE "${name.replace(/"/g, '')}"`);
      } finally {
        await client.end();
      }
      return url(name);
    },
    async stop() {
      try {
        await runAsPostgres('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
