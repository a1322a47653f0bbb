import { createServer } from 'node:net';
import { buildApp } from '../../src/server/app';
import { ensureRootAdminKey } from '../../src/server/auth/apiKeys';
import { verifyWithBitbucket } from '../../src/server/bitbucketVerification';
import { UnprocessableError } from '../../src/server/errors';
import { openDatabase } from '../../src/server/store/database';
import { startEmulator, type RunningEmulator } from '../../src/emulator';

/** A loopback port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function failureOf(promise: Promise<void>): Promise<UnprocessableError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof UnprocessableError) return error;
    throw error;
  }
  throw new Error('verification unexpectedly succeeded');
}

describe('credential verification against Bitbucket (the emulator)', () => {
  let emulator: RunningEmulator;
  let adminToken: string;
  let readerToken: string;

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0 });
    emulator.createProject('PLAT');
    emulator.createRepository('PLAT', 'infra');
    adminToken = emulator.createUser({ name: 'svc-liftgate', repositoryPermissions: { 'PLAT/infra': 'REPO_ADMIN' } }).token as string;
    readerToken = emulator.createUser({ name: 'svc-reader', repositoryPermissions: { 'PLAT/infra': 'REPO_READ' } }).token as string;
  });
  afterAll(() => emulator.close());

  it('accepts a token that administers a repository', async () => {
    await expect(verifyWithBitbucket({ apiHost: emulator.url, username: 'svc-liftgate', accessToken: adminToken })).resolves.toBeUndefined();
  });

  it('says the host is unreachable', async () => {
    const failure = await failureOf(
      verifyWithBitbucket({ apiHost: `http://127.0.0.1:${await closedPort()}`, username: 'svc-liftgate', accessToken: adminToken }),
    );
    expect(failure.statusCode).toBe(422);
    expect(failure.message).toContain('unreachable');
    expect(failure.details).toEqual({ field: 'apiHost', problem: 'unreachable' });
  });

  it('says Bitbucket rejected the token (401), also when the token belongs to another user', async () => {
    const bad = await failureOf(verifyWithBitbucket({ apiHost: emulator.url, username: 'svc-liftgate', accessToken: 'not-a-token' }));
    expect(bad.message).toContain('401');
    expect(bad.details).toEqual({ field: 'accessToken', problem: 'unauthorized' });
    const otherUser = await failureOf(verifyWithBitbucket({ apiHost: emulator.url, username: 'svc-reader', accessToken: adminToken }));
    expect(otherUser.details).toEqual({ field: 'username', problem: 'unauthorized' });
    expect(otherUser.message).toContain('does not belong to user "svc-reader"');
  });

  it('accepts valid credentials on a server that has no repository yet', async () => {
    const empty = await startEmulator({ port: 0 });
    try {
      await expect(verifyWithBitbucket({ apiHost: empty.url, username: 'admin', accessToken: empty.adminToken })).resolves.toBeUndefined();
      const bad = await failureOf(verifyWithBitbucket({ apiHost: empty.url, username: 'admin', accessToken: 'wrong' }));
      expect(bad.details).toMatchObject({ problem: 'unauthorized' });
    } finally {
      await empty.close();
    }
  });

  it('says the token lacks permission when it reads repositories but administers none', async () => {
    const failure = await failureOf(verifyWithBitbucket({ apiHost: emulator.url, username: 'svc-reader', accessToken: readerToken }));
    expect(failure.message).toContain('lacks permission');
    expect(failure.details).toEqual({ field: 'accessToken', problem: 'missing-permission' });
    expect(failure.message).not.toContain(readerToken);
  });

  it('is what the control plane runs on create and on credential change by default', async () => {
    const db = await openDatabase({ dataDir: 'memory://' });
    const app = await buildApp({ db, publicUrl: 'https://liftgate.example.com', encryptionKey: Buffer.alloc(32, 3) });
    try {
      const admin = ((await ensureRootAdminKey(db)) as { secret: string }).secret;
      const baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
      const call = async (method: string, path: string, body: unknown) => {
        const response = await fetch(`${baseUrl}${path}`, {
          method,
          headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        return { status: response.status, body: (await response.json()) as any };
      };
      const refused = await call('POST', '/api/v1/integrations/bitbucket-datacenter', {
        name: 'emulated', apiHost: emulator.url, username: 'svc-liftgate', accessToken: 'wrong',
      });
      expect(refused.status).toBe(422);
      expect(refused.body.error.details).toEqual({ field: 'accessToken', problem: 'unauthorized' });
      const created = await call('POST', '/api/v1/integrations/bitbucket-datacenter', {
        name: 'emulated', apiHost: emulator.url, username: 'svc-liftgate', accessToken: adminToken,
      });
      expect(created.status).toBe(201);
      const downgraded = await call('PATCH', '/api/v1/integrations/bitbucket-datacenter/emulated', { username: 'svc-reader', accessToken: readerToken });
      expect(downgraded.status).toBe(422);
      expect(downgraded.body.error.details.problem).toBe('missing-permission');
    } finally {
      await app.close();
      await db.close();
    }
  });
});
