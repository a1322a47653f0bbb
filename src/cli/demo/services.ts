/**
 * The two services the demo runs in its own process: the Bitbucket DC emulator, seeded with a project and a few
 * repositories, and the control plane on an embedded PGlite store — both on free loopback ports, with every file
 * (store, keys, tokens, logs) under the demo's directory.
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { parseBitbucketHostPolicy } from '../../domain/bitbucket-hosts';
import { startEmulator, type RunningEmulator } from '../../emulator';
import { buildApp } from '../../server/app';
import { checkEncryptionKey, writeRootAdminKeyIfFresh } from '../../server/bootstrap';
import { createLogger } from '../../server/logging';
import { loadEncryptionKey, SecretBox } from '../../server/secrets';
import { openDatabase, type Database } from '../../server/store/database';

/** What the emulator is seeded with: the repositories the quickstart app manages, plus one it leaves alone. */
export const demoProject = { key: 'PLAT', name: 'Platform', repositories: ['network', 'dns', 'apps'] } as const;

/** The Bitbucket account the integration and the bitbucketdc provider act as (PROJECT_ADMIN on the project). */
export const demoBitbucketUser = 'liftgate-bot';

function writeSecretFile(file: string, secret: string): void {
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
}

export interface DemoBitbucket {
  emulator: RunningEmulator;
  /** File (mode 0600) holding the token of user `admin`, who holds every permission. */
  adminTokenFile: string;
  /** HTTP access token of `demoBitbucketUser`. */
  userToken: string;
  userTokenFile: string;
}

export async function startDemoBitbucket(dir: string): Promise<DemoBitbucket> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const emulator = await startEmulator({ host: '127.0.0.1', port: 0, stateFile: join(dir, 'state.json') });
  try {
    emulator.createProject(demoProject.key, { name: demoProject.name, description: 'Seeded by liftgate demo' });
    for (const repository of demoProject.repositories) emulator.createRepository(demoProject.key, repository);
    const user = emulator.createUser({
      name: demoBitbucketUser,
      displayName: 'Liftgate automation',
      projectPermissions: { [demoProject.key]: 'PROJECT_ADMIN' },
    });
    if (user.token === null) throw new Error(`the emulator created ${demoBitbucketUser} without an access token`);
    const adminTokenFile = join(dir, 'admin.token');
    writeSecretFile(adminTokenFile, emulator.adminToken);
    const userTokenFile = join(dir, `${demoBitbucketUser}.token`);
    writeSecretFile(userTokenFile, user.token);
    return { emulator, adminTokenFile, userToken: user.token, userTokenFile };
  } catch (error) {
    await emulator.close();
    throw error;
  }
}

export interface DemoControlPlane {
  url: string;
  dataDir: string;
  adminKey: string;
  adminKeyFile: string;
  logFile: string;
  close(): Promise<void>;
}

/**
 * Starts the control plane the way `liftgate serve --data-dir <dir> --port 0 --allowed-bitbucket-hosts loopback`
 * does, logging to a file.
 */
export async function startDemoControlPlane(dataDir: string, logFile: string): Promise<DemoControlPlane> {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const logDestination = pino.destination({ dest: logFile, mkdir: true, sync: false });
  const logger = createLogger({ destination: logDestination });
  // The demo's store is always new, so a LIFTGATE_ENCRYPTION_KEY meant for a real store is not used for it.
  const { key } = loadEncryptionKey({ keyFile: join(dataDir, 'encryption.key') });
  let db: Database | undefined;
  let app: FastifyInstance | undefined;
  try {
    db = await openDatabase({ dataDir: join(dataDir, 'pgdata') });
    await checkEncryptionKey(db, new SecretBox(key));
    const adminKeyFile = await writeRootAdminKeyIfFresh(db, join(dataDir, 'admin.key'));
    if (adminKeyFile === null) throw new Error(`the store in ${dataDir} is not new: the demo needs an empty one`);
    let url = '';
    // The demo's Bitbucket is the emulator on this machine, which `liftgate serve` only calls when told to
    // (--allowed-bitbucket-hosts loopback).
    app = await buildApp({ db, publicUrl: () => url, encryptionKey: key, logger, allowedBitbucketHosts: parseBitbucketHostPolicy('loopback') });
    await app.listen({ host: '127.0.0.1', port: 0 });
    url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const started = { app, db };
    return {
      url,
      dataDir,
      adminKey: readFileSync(adminKeyFile, 'utf8').trim(),
      adminKeyFile,
      logFile,
      async close() {
        await started.app.close();
        await started.db.close();
        logger.flush();
      },
    };
  } catch (error) {
    await app?.close();
    await db?.close();
    logger.flush();
    throw error;
  }
}
