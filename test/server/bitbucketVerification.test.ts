import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import { parseBitbucketHostPolicy } from '../../src/domain/bitbucket-hosts';
import { buildApp } from '../../src/server/app';
import { ensureRootAdminKey } from '../../src/server/auth/apiKeys';
import { verifyWithBitbucket } from '../../src/server/bitbucketVerification';
import { UnprocessableError } from '../../src/server/errors';
import { openDatabase } from '../../src/server/store/database';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import { closedPort } from '../helpers/http';

/** Connections may go anywhere (the policy itself is tested below and in test/domain). */
const anywhere = { allowAddress: () => true };

const NOT_REACHED = 'credential verification failed: apiHost did not answer as Bitbucket Data Center (unreachable, refused, TLS failed, or not Bitbucket)';

async function listening<T extends Server | HttpServer>(server: T): Promise<{ server: T; port: number }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port };
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
    await expect(verifyWithBitbucket({ apiHost: emulator.url, username: 'svc-liftgate', accessToken: adminToken }, anywhere)).resolves.toBeUndefined();
  });

  it('says the host is unreachable', async () => {
    const failure = await failureOf(
      verifyWithBitbucket({ apiHost: `http://127.0.0.1:${await closedPort()}`, username: 'svc-liftgate', accessToken: adminToken }, anywhere),
    );
    expect(failure.statusCode).toBe(422);
    expect(failure.message).toContain('unreachable');
    expect(failure.details).toEqual({ field: 'apiHost', problem: 'unreachable' });
  });

  it('gives one answer for a closed port, a port that is not Bitbucket, a TLS failure and an address it may not use', async () => {
    const garbage = await listening(createServer((socket) => socket.end('SSH-2.0-OpenSSH_9.6\r\n')));
    const notBitbucket = await listening(createHttpServer((_request, response) => response.writeHead(404).end('<h1>nginx</h1>')));
    try {
      const closed = await closedPort();
      const attempts = [
        () => verifyWithBitbucket({ apiHost: `http://127.0.0.1:${closed}`, username: 'u', accessToken: adminToken }, anywhere),
        () => verifyWithBitbucket({ apiHost: `http://127.0.0.1:${garbage.port}`, username: 'u', accessToken: adminToken }, anywhere),
        () => verifyWithBitbucket({ apiHost: `http://127.0.0.1:${notBitbucket.port}`, username: 'u', accessToken: adminToken }, anywhere),
        () => verifyWithBitbucket({ apiHost: `https://127.0.0.1:${notBitbucket.port}`, username: 'u', accessToken: adminToken }, anywhere),
        // A name the policy lets through whose address it refuses (localhost here; a public name resolving to 127.0.0.1 in life).
        () =>
          verifyWithBitbucket({ apiHost: emulator.url.replace('127.0.0.1', 'localhost'), username: 'svc-liftgate', accessToken: adminToken }, {
            allowAddress: () => false,
          }),
      ];
      for (const attempt of attempts) {
        const failure = await failureOf(attempt());
        expect(failure.message).toBe(NOT_REACHED);
        expect(failure.details).toEqual({ field: 'apiHost', problem: 'unreachable' });
      }
    } finally {
      garbage.server.close();
      notBitbucket.server.close();
    }
  });

  it('never puts what the host answered into the error (a host echoing the Authorization header gets nothing back)', async () => {
    const echo = await listening(
      createHttpServer((request, response) => {
        if (request.url?.includes('application-properties')) {
          response.writeHead(200, { 'content-type': 'application/json' });
          return response.end(JSON.stringify({ version: '9.4.0', buildNumber: '9004000', buildDate: '1', displayName: 'Bitbucket' }));
        }
        response.writeHead(401, { 'content-type': 'application/json' });
        return response.end(JSON.stringify({ errors: [{ message: `you sent ${request.headers.authorization}` }] }));
      }),
    );
    try {
      const failure = await failureOf(
        verifyWithBitbucket({ apiHost: `http://127.0.0.1:${echo.port}`, username: 'svc', accessToken: 'SECRET-TOKEN-7f3a' }, anywhere),
      );
      expect(failure.details).toMatchObject({ problem: 'unauthorized' });
      const shown = JSON.stringify({ message: failure.message, details: failure.details });
      expect(shown).not.toContain('you sent');
      expect(shown).not.toContain('SECRET-TOKEN-7f3a');
      expect(shown).not.toContain(Buffer.from('svc:SECRET-TOKEN-7f3a').toString('base64'));
    } finally {
      echo.server.close();
    }
  });

  it('says Bitbucket rejected the token (401), also when the token belongs to another user', async () => {
    const bad = await failureOf(verifyWithBitbucket({ apiHost: emulator.url, username: 'svc-liftgate', accessToken: 'not-a-token' }, anywhere));
    expect(bad.message).toContain('401');
    expect(bad.details).toEqual({ field: 'accessToken', problem: 'unauthorized' });
    const otherUser = await failureOf(verifyWithBitbucket({ apiHost: emulator.url, username: 'svc-reader', accessToken: adminToken }, anywhere));
    expect(otherUser.details).toEqual({ field: 'username', problem: 'unauthorized' });
    expect(otherUser.message).toContain('does not belong to user "svc-reader"');
  });

  it('accepts valid credentials on a server that has no repository yet', async () => {
    const empty = await startEmulator({ port: 0 });
    try {
      await expect(verifyWithBitbucket({ apiHost: empty.url, username: 'admin', accessToken: empty.adminToken }, anywhere)).resolves.toBeUndefined();
      const bad = await failureOf(verifyWithBitbucket({ apiHost: empty.url, username: 'admin', accessToken: 'wrong' }, anywhere));
      expect(bad.details).toMatchObject({ problem: 'unauthorized' });
    } finally {
      await empty.close();
    }
  });

  it('says the token lacks permission when it reads repositories but administers none', async () => {
    const failure = await failureOf(verifyWithBitbucket({ apiHost: emulator.url, username: 'svc-reader', accessToken: readerToken }, anywhere));
    expect(failure.message).toContain('lacks permission');
    expect(failure.details).toEqual({ field: 'accessToken', problem: 'missing-permission' });
    expect(failure.message).not.toContain(readerToken);
  });

  it('is what the control plane runs on create and on credential change by default', async () => {
    const db = await openDatabase({ dataDir: 'memory://' });
    const app = await buildApp({
      db,
      publicUrl: 'https://liftgate.example.com',
      encryptionKey: Buffer.alloc(32, 3),
      allowedBitbucketHosts: parseBitbucketHostPolicy('loopback'),
    });
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

  it('is not asked to call a host on this machine unless the control plane allows loopback', async () => {
    let calls = 0;
    const local = await listening(createHttpServer((_request, response) => {
      calls += 1;
      response.writeHead(404).end();
    }));
    const db = await openDatabase({ dataDir: 'memory://' });
    const app = await buildApp({ db, publicUrl: 'https://liftgate.example.com', encryptionKey: Buffer.alloc(32, 3) });
    try {
      const admin = ((await ensureRootAdminKey(db)) as { secret: string }).secret;
      const hosts = [
        `http://127.0.0.1:${local.port}`,
        `http://localhost:${local.port}`,
        `https://127.0.0.1:${local.port}`,
        `https://[::ffff:127.0.0.1]:${local.port}`,
        'https://169.254.169.254',
        'https://0.0.0.0',
      ];
      const baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
      for (const apiHost of hosts) {
        const response = await fetch(`${baseUrl}/api/v1/integrations/bitbucket-datacenter`, {
          method: 'POST',
          headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
          body: JSON.stringify({ name: 'local', apiHost, username: 'svc-liftgate', accessToken: adminToken }),
        });
        expect(response.status).toBe(422);
        expect(((await response.json()) as any).error.details).toEqual({ field: 'apiHost', problem: 'not-allowed' });
      }
      expect(calls).toBe(0);
    } finally {
      await app.close();
      await db.close();
      local.server.close();
    }
  });
});
