/**
 * The two services the demo runs in its own process: the Bitbucket DC emulator, seeded with a project and a few
 * repositories, and the control plane on an embedded PGlite store — both on free loopback ports, with every file
 * (store, keys, tokens, logs) under the demo's directory.
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { parseBitbucketHostPolicy } from '../../domain/bitbucket-hosts';
import { startEmulator, type RunningEmulator } from '../../emulator';
import type { WorkerWork } from '../../domain/run-work';
import { createLogger } from '../../server/logging';
import { startControlPlane, type StartedControlPlane } from '../../server/start';
import { parseRunFlags, startWorkerPool } from '../workers';

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
  const logger = createLogger({ destination: pino.destination({ dest: logFile, mkdir: true, sync: false }) });
  let controlPlane: StartedControlPlane | undefined;
  let poke = (_work: WorkerWork): void => undefined;
  // The demo's Bitbucket is the emulator on this machine, which `liftgate serve` and its workers only call when told
  // to (--allowed-bitbucket-hosts loopback).
  const allowedBitbucketHosts = parseBitbucketHostPolicy('loopback');
  try {
    controlPlane = await startControlPlane({
      dataDir,
      // The demo's store is always new, so a LIFTGATE_ENCRYPTION_KEY meant for a real store is not used for it.
      encryptionKeyFromEnvironment: undefined,
      host: '127.0.0.1',
      port: 0,
      logger,
      allowedBitbucketHosts,
      runsQueued: (work) => poke(work),
    });
    const { adminKeyFile } = controlPlane;
    if (adminKeyFile === null) throw new Error(`the store in ${dataDir} is not new: the demo needs an empty one`);
    const started = controlPlane;
    // One embedded worker, as `liftgate serve` has by default: runs execute in this process with the terraform on PATH.
    const runs = parseRunFlags({ lease: '10s' }, join(dataDir, 'runs'));
    const pool = startWorkerPool(started.runHost, runs, { hosts: allowedBitbucketHosts, agents: started.app.vcsAgents }, 2, (error) => logger.error({ err: error }, 'worker pool'));
    poke = (work) => pool.poke(work);
    return {
      url: started.url,
      dataDir,
      adminKey: readFileSync(adminKeyFile, 'utf8').trim(),
      adminKeyFile,
      logFile,
      async close() {
        await pool.stop();
        await started.close();
        logger.flush();
      },
    };
  } catch (error) {
    await controlPlane?.close();
    logger.flush();
    throw error;
  }
}
