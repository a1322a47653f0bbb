import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, startServe, type RunningServe } from '../helpers/cli';
import { startPostgres, type PostgresCluster } from '../helpers/postgres';
import { callApi } from '../helpers/serve';
import { throwawayTls } from '../helpers/tls';

const TOKEN = 'BBDC-serve-test-token-93be41d07c';

function api(serve: RunningServe, key: string, method: string, path: string, body?: unknown) {
  return callApi(serve.url, key, method, path, body);
}

/** Every file under `dir` whose bytes contain `needle`. */
function filesContaining(dir: string, needle: string): string[] {
  const found: string[] = [];
  const bytes = Buffer.from(needle);
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath ?? (entry as { path: string }).path, entry.name);
    if (readFileSync(path).includes(bytes)) found.push(path);
  }
  return found;
}

describe('liftgate serve', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'liftgate-serve-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('prints its options for --help', async () => {
    const result = await runCli(['serve', '--help']);
    expect(result.code).toBe(0);
    for (const flag of [
      '--host',
      '--port',
      '--data-dir',
      '--database-url',
      'LIFTGATE_DATABASE_URL',
      '--database-password-file',
      '--public-url',
      '--allowed-bitbucket-hosts',
      '--delivery-retention',
      '--max-state-bytes',
      '--tls-cert',
      '--tls-key',
    ]) {
      expect(result.stdout).toContain(flag);
    }
  });

  it.each([
    [['--port', 'eighty'], '--port'],
    [['--bogus'], 'bogus'],
    [['--database-url', 'mysql://db'], '--database-url'],
    [['--public-url', 'not a url'], '--public-url'],
    [['--allowed-bitbucket-hosts', 'https://bitbucket.example.com'], '--allowed-bitbucket-hosts'],
    [['--allowed-bitbucket-hosts', ''], '--allowed-bitbucket-hosts'],
    [['--delivery-retention', '0d'], '--delivery-retention'],
    [['--delivery-retention', 'forever'], '--delivery-retention'],
    [['--max-state-bytes', '0'], '--max-state-bytes'],
    [['--max-state-bytes', '32MB'], '--max-state-bytes'],
    [['--max-state-bytes', '-1'], '--max-state-bytes'],
    [['--database-password-file', '/nonexistent'], '--database-password-file needs --database-url'],
    [['--database-url', 'postgres://u:pw@db/x', '--database-password-file', '/nonexistent'], 'already holds a password'],
    [['--tls-cert', '/nonexistent/cert.pem'], '--tls-cert and --tls-key go together'],
    [['--tls-cert', '/nonexistent/cert.pem', '--tls-key', '/nonexistent/key.pem'], '--tls-cert: cannot read /nonexistent/cert.pem: ENOENT'],
  ])('rejects %j with one line naming the problem', async (args, named) => {
    const result = await runCli(['serve', ...args]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(named);
  });

  it('serves HTTPS with --tls-cert and --tls-key: the registry discovery answers over TLS with that certificate', async () => {
    const dir = tempDir();
    const tls = throwawayTls(dir);
    const serve = await startServe(['--data-dir', join(dir, 'data'), '--tls-cert', tls.certFile, '--tls-key', tls.keyFile]);
    try {
      expect(serve.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        httpsRequest(`${serve.url}/.well-known/terraform.json`, { ca: readFileSync(tls.caFile) }, (response) => {
          let body = '';
          response.on('data', (chunk: Buffer) => (body += chunk.toString()));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
        })
          .on('error', reject)
          .end();
      });
      expect(answer).toEqual({ status: 200, body: '{"modules.v1":"/registry/modules/v1/"}' });
    } finally {
      await serve.stop();
    }
  });

  it('writes admin.key (0600) on first start, keeps every object across a restart, never shows the token, exits 0 on SIGTERM', async () => {
    const dataDir = tempDir();
    // A data directory others can read (made by hand, or by an older Liftgate) is made owner-only on start.
    chmodSync(dataDir, 0o755);
    const first = await startServe(['--data-dir', dataDir, '--public-url', 'https://cp.example.com/']);
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    const keyFile = join(dataDir, 'admin.key');
    const adminKey = readFileSync(keyFile, 'utf8').trim();
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(first.stdout() + first.stderr()).toContain(keyFile);
    expect(first.stdout() + first.stderr()).not.toContain(adminKey);

    const space = await api(first, adminKey, 'POST', '/api/v1/spaces', { name: 'team', inheritEntities: true });
    const integration = await api(first, adminKey, 'POST', '/api/v1/integrations/bitbucket-datacenter', {
      name: 'Team BB', spaceId: space.body.id, apiHost: 'private://eu-agents', username: 'svc', accessToken: TOKEN,
    });
    expect(integration.status).toBe(201);
    expect(integration.body.webhookUrl).toBe('https://cp.example.com/webhooks/bitbucket-datacenter/team-bb');
    const stack = await api(first, adminKey, 'POST', '/api/v1/stacks', {
      name: 'app', spaceId: space.body.id, vcs: { integrationId: 'team-bb', projectKey: 'P', repositorySlug: 'r', branch: 'main' },
    });
    expect(stack.status).toBe(201);
    const key = await api(first, adminKey, 'POST', '/api/v1/api-keys', { name: 'ci', roles: [{ spaceId: space.body.id, role: 'write' }] });
    expect(await first.stop()).toBe(0);

    const second = await startServe(['--data-dir', dataDir, '--public-url', 'https://cp.example.com']);
    try {
      expect(second.stderr()).not.toContain('admin.key');
      expect(readFileSync(keyFile, 'utf8').trim()).toBe(adminKey);
      expect((await api(second, adminKey, 'GET', `/api/v1/spaces/${space.body.id}`)).body).toEqual(space.body);
      const details = await api(second, adminKey, 'GET', '/api/v1/integrations/bitbucket-datacenter/team-bb');
      expect(details.body).toEqual(integration.body);
      expect((await api(second, adminKey, 'GET', `/api/v1/stacks/${stack.body.id}`)).body).toEqual(stack.body);
      expect((await api(second, key.body.secret, 'GET', '/api/v1/stacks')).body).toHaveLength(1);
    } finally {
      expect(await second.stop()).toBe(0);
    }

    const logs = first.stdout() + second.stdout();
    for (const line of logs.trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
    expect(logs).not.toContain(TOKEN);
    expect(logs).not.toContain(adminKey);
    expect(filesContaining(dataDir, TOKEN)).toEqual([]);
    expect(filesContaining(dataDir, adminKey)).toEqual([keyFile]);
    const openToOthers = readdirSync(dataDir, { withFileTypes: true, recursive: true })
      .map((entry) => join(entry.parentPath ?? (entry as { path: string }).path, entry.name))
      .filter((path) => (statSync(path).mode & 0o077) !== 0);
    expect(openToOthers).toEqual([]);
  }, 120_000);

  describe('with --database-url', () => {
    let cluster: PostgresCluster;
    beforeAll(async () => {
      cluster = await startPostgres();
    }, 60_000);
    afterAll(() => cluster?.stop());

    it('uses PostgreSQL with the same migrations and keeps objects across a restart', async () => {
      const dataDir = tempDir();
      const databaseUrl = await cluster.createDatabase('serve_test');
      const first = await startServe(['--data-dir', dataDir, '--database-url', databaseUrl]);
      const adminKey = readFileSync(join(dataDir, 'admin.key'), 'utf8').trim();
      const health = await fetch(`${first.url}/healthz`);
      expect(await health.json()).toEqual({ status: 'ok', store: 'postgres' });
      const space = await api(first, adminKey, 'POST', '/api/v1/spaces', { name: 'on postgres' });
      await api(first, adminKey, 'POST', '/api/v1/integrations/bitbucket-datacenter', {
        name: 'pg bb', apiHost: 'private://pool', username: 'svc', accessToken: TOKEN,
      });
      expect(await first.stop()).toBe(0);
      expect(readdirSync(dataDir)).not.toContain('pgdata');

      const second = await startServe(['--data-dir', dataDir, '--database-url', databaseUrl]);
      try {
        expect((await api(second, adminKey, 'GET', `/api/v1/spaces/${space.body.id}`)).status).toBe(200);
        expect((await api(second, adminKey, 'GET', '/api/v1/integrations/bitbucket-datacenter/pg-bb')).status).toBe(200);
      } finally {
        expect(await second.stop()).toBe(0);
      }
      expect(first.stdout() + second.stdout()).not.toContain(TOKEN);
    }, 120_000);

    it('takes the URL from LIFTGATE_DATABASE_URL and the password from --database-password-file, off the command line', async () => {
      const dataDir = tempDir();
      const databaseUrl = await cluster.createDatabase('from_environment');
      const passwordFile = join(dataDir, 'db.password');
      writeFileSync(passwordFile, 'p@ss:w/rd%\n', { mode: 0o600 });
      const serve = await startServe(['--data-dir', dataDir, '--database-password-file', passwordFile], { env: { LIFTGATE_DATABASE_URL: databaseUrl } });
      try {
        expect(await (await fetch(`${serve.url}/healthz`)).json()).toEqual({ status: 'ok', store: 'postgres' });
        expect(readFileSync(`/proc/${serve.child.pid}/cmdline`, 'utf8')).not.toContain('postgres://');
        expect(serve.stdout() + serve.stderr()).not.toContain('p@ss');
      } finally {
        expect(await serve.stop()).toBe(0);
      }
    }, 120_000);

    it('refuses to start with an encryption key other than the store was created with', async () => {
      const dataDir = tempDir();
      const databaseUrl = await cluster.createDatabase('key_check');
      const first = await startServe(['--data-dir', dataDir, '--database-url', databaseUrl], { env: { LIFTGATE_ENCRYPTION_KEY: 'a'.repeat(64) } });
      expect(await first.stop()).toBe(0);
      const result = await runCli(['serve', '--port', '0', '--data-dir', dataDir, '--database-url', databaseUrl], {
        env: { LIFTGATE_ENCRYPTION_KEY: 'b'.repeat(64) },
        timeoutMs: 60_000,
      });
      expect(result.code).toBe(1);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toContain('LIFTGATE_ENCRYPTION_KEY is not the key this store was created with');
    }, 120_000);

    it('a replica started without LIFTGATE_ENCRYPTION_KEY says the variable is unset and leaves no key file behind', async () => {
      const databaseUrl = await cluster.createDatabase('replica_key');
      const first = await startServe(['--data-dir', tempDir(), '--database-url', databaseUrl], { env: { LIFTGATE_ENCRYPTION_KEY: 'a'.repeat(64) } });
      expect(await first.stop()).toBe(0);
      const replicaDir = tempDir();
      const result = await runCli(['serve', '--port', '0', '--data-dir', replicaDir, '--database-url', databaseUrl], {
        env: { LIFTGATE_ENCRYPTION_KEY: '' },
        timeoutMs: 60_000,
      });
      expect(result.code).toBe(1);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toContain(`LIFTGATE_ENCRYPTION_KEY is not set and ${join(replicaDir, 'encryption.key')} did not exist, but this store was created with a key`);
      expect(existsSync(join(replicaDir, 'encryption.key'))).toBe(false);
    }, 120_000);

    it('answers the request in flight when SIGTERM arrives, then exits 0', async () => {
      const dataDir = tempDir();
      const serve = await startServe(['--data-dir', dataDir, '--database-url', await cluster.createDatabase('drain')]);
      const adminKey = readFileSync(join(dataDir, 'admin.key'), 'utf8').trim();
      const body = JSON.stringify({ name: 'created while stopping' });
      const answered = new Promise<{ status: number | undefined; text: string }>((resolve, reject) => {
        const call = httpRequest(`${serve.url}/api/v1/spaces`, {
          method: 'POST',
          headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        });
        call.on('response', (response) => {
          let text = '';
          response.on('data', (chunk: Buffer) => (text += chunk.toString()));
          response.on('end', () => resolve({ status: response.statusCode, text }));
        });
        call.on('error', reject);
        // Half the body now, the rest after SIGTERM: the request is in flight while the server stops.
        call.write(body.slice(0, 10));
        setTimeout(() => {
          serve.child.kill('SIGTERM');
          setTimeout(() => call.end(body.slice(10)), 500);
        }, 300);
      });
      const response = await answered;
      expect(response.status).toBe(201);
      expect(JSON.parse(response.text).name).toBe('created while stopping');
      expect(await serve.exited).toBe(0);
    }, 120_000);
  });
});
