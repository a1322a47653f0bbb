/**
 * The state server (SPEC §7.4) over HTTP, every error path, on both store engines. The same protocol driven by the real
 * terraform binary is in test/e2e/state-backend.test.ts.
 */
import { createHash, randomUUID } from 'node:crypto';
import Ajv from 'ajv';
import {
  currentStateSerial,
  mintRunStateCredentials,
  releaseStateLocksOfRun,
  revokeRunStateCredentials,
  runStateBackendEnvironment,
} from '../../src/server/state/run-credentials';
import { describeEachEngine, type TestControlPlane } from './harness';

const MAX_STATE_BYTES = 64 * 1024;

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  body: any;
}

/** A Terraform state document. */
function stateDocument(serial: number, lineage = 'lineage-1', marker = 'value'): string {
  return JSON.stringify({ version: 4, terraform_version: '1.11.4', serial, lineage, outputs: { marker: { value: marker, type: 'string' } }, resources: [] }, null, 2);
}

function lockInfo(id: string, who = 'root@laptop'): string {
  return JSON.stringify({ ID: id, Operation: 'OperationTypeApply', Info: '', Who: who, Version: '1.11.4', Created: '2020-01-01T00:00:00Z', Path: '' });
}

function md5(text: string): string {
  return createHash('md5').update(text).digest('base64');
}

function basic(password: string, username = 'terraform'): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

describeEachEngine(
  'state server',
  (server: TestControlPlane) => {
    let stackId: string;

    /** One request to a state path; `auth` is a whole Authorization header, or null for none. */
    async function call(method: string, path: string, options: { auth?: string | null; body?: string | Buffer; headers?: Record<string, string> } = {}): Promise<Answer> {
      const headers: Record<string, string> = { ...options.headers };
      const auth = options.auth === undefined ? basic(server.adminKey) : options.auth;
      if (auth !== null) headers.authorization = auth;
      if (options.body !== undefined && headers['content-type'] === undefined) headers['content-type'] = 'application/json';
      const response = await server.app.inject({ method: method as 'GET', url: path, headers, payload: options.body });
      const text = response.body;
      let body: unknown;
      try {
        body = text === '' ? undefined : JSON.parse(text);
      } catch {
        body = undefined;
      }
      const answered = Object.entries(response.headers).flatMap(([name, value]): [string, string][] =>
        value === undefined ? [] : Array.isArray(value) ? value.map((item) => [name, item]) : [[name, String(value)]],
      );
      return { status: response.statusCode, headers: new Headers(answered), text, body };
    }

    const statePath = (id = stackId) => `/api/v1/stacks/${id}/state`;
    const lockPath = (id = stackId) => `/api/v1/stacks/${id}/state/lock`;
    const versionsPath = (id = stackId) => `/api/v1/stacks/${id}/state/versions`;

    /** A write as Terraform makes it: the state JSON with its Content-MD5, `?ID=` when a lock is held. */
    const write = (document: string, options: { auth?: string | null; lockId?: string; id?: string } = {}) =>
      call('POST', `${statePath(options.id)}${options.lockId === undefined ? '' : `?ID=${encodeURIComponent(options.lockId)}`}`, {
        auth: options.auth,
        body: document,
        headers: { 'content-md5': md5(document) },
      });
    const lock = (id: string, auth?: string | null) => call('POST', lockPath(), { auth, body: lockInfo(id), headers: { 'content-md5': md5(lockInfo(id)) } });
    const unlock = (id: string | null, auth?: string | null) =>
      call('DELETE', lockPath(), id === null ? { auth } : { auth, body: lockInfo(id), headers: { 'content-md5': md5(lockInfo(id)) } });

    /** A run of the stack in `state`, and its minted credentials as a Basic header. */
    async function runWithCredentials(kind: 'TRACKED' | 'PROPOSED', state = 'PLANNING', onStack = stackId): Promise<{ runId: string; auth: string }> {
      const [row] = await server.db.query<{ id: string }>(
        `INSERT INTO runs (stack_id, kind, state, trigger, branch) VALUES ($1, $2, 'PREPARING', 'manual', 'main') RETURNING id`,
        [onStack, kind],
      );
      const runId = (row as { id: string }).id;
      const credentials = await mintRunStateCredentials(server.db, runId);
      await setRunState(runId, state);
      return { runId, auth: basic(credentials.password, credentials.username) };
    }

    async function setRunState(runId: string, state: string): Promise<void> {
      await server.db.query('UPDATE runs SET state = $2 WHERE id = $1', [runId, state]);
    }

    beforeEach(async () => {
      await server.createIntegration({ name: 'default', isDefault: true });
      stackId = (await server.createStack({ name: 'network' })).id;
    });

    describe('authentication', () => {
      it('answers 401 with a Basic challenge without credentials, with malformed ones, and with keys nobody issued', async () => {
        for (const auth of [null, 'Basic !!!', basic(''), `Basic ${Buffer.from('no-colon').toString('base64')}`, basic('lgk_unknown'), basic('lgr_unknown'), 'Bearer lgk_unknown', 'Token x']) {
          const answer = await call('GET', statePath(), { auth });
          expect([auth, answer.status]).toEqual([auth, 401]);
          expect(answer.headers.get('www-authenticate')).toBe('Basic realm="Liftgate state", charset="UTF-8"');
          expect(answer.body.error.code).toBe('unauthorized');
        }
      });

      it('takes an API key as the Basic password with any username, or as a Bearer token', async () => {
        expect((await call('GET', statePath(), { auth: basic(server.adminKey, 'anything') })).status).toBe(204);
        expect((await call('GET', statePath(), { auth: basic(server.adminKey, '') })).status).toBe(204);
        expect((await call('GET', statePath(), { auth: `Bearer ${server.adminKey}` })).status).toBe(204);
      });

      it('checks credentials before reading a body: an unauthenticated write over the limit is a 401', async () => {
        const answer = await call('POST', statePath(), { auth: null, body: 'x'.repeat(MAX_STATE_BYTES + 10) });
        expect(answer.status).toBe(401);
      });
    });

    describe('reading and writing', () => {
      it('answers 204 before the first write, then the exact bytes written with their Content-MD5', async () => {
        expect((await call('GET', statePath())).status).toBe(204);
        const document = stateDocument(1);
        const written = await write(document);
        expect(written.status).toBe(200);
        expect(written.body).toMatchObject({ outcome: 'stored', version: { serial: 1, lineage: 'lineage-1', terraformVersion: '1.11.4', md5: md5(document) } });
        const read = await call('GET', statePath());
        expect(read.status).toBe(200);
        expect(read.text).toBe(document);
        expect(read.headers.get('content-md5')).toBe(md5(document));
        expect(read.headers.get('content-type')).toMatch(/^application\/json/);
        expect(read.headers.get('cache-control')).toBe('no-store');
      });

      it('numbers versions by serial, newest first, with who wrote them and pages', async () => {
        for (const serial of [1, 2, 3]) expect((await write(stateDocument(serial))).status).toBe(200);
        const versions = await call('GET', versionsPath());
        expect(versions.status).toBe(200);
        expect(versions.body.map((version: { serial: number }) => version.serial)).toEqual([3, 2, 1]);
        const keyId = (await server.request('GET', '/api/v1/api-keys')).body[0].id;
        expect(versions.body[0]).toEqual({
          serial: 3,
          lineage: 'lineage-1',
          terraformVersion: '1.11.4',
          md5: md5(stateDocument(3)),
          sizeBytes: Buffer.byteLength(stateDocument(3)),
          createdBy: { kind: 'api-key', id: keyId },
          createdAt: expect.any(String),
        });
        const first = await call('GET', `${versionsPath()}?limit=2`);
        expect(first.body.map((version: { serial: number }) => version.serial)).toEqual([3, 2]);
        const next = first.headers.get('x-next-cursor') as string;
        const second = await call('GET', `${versionsPath()}?limit=2&cursor=${next}`);
        expect(second.body.map((version: { serial: number }) => version.serial)).toEqual([1]);
        expect(second.headers.get('x-next-cursor')).toBeNull();
      });

      it('serves each version by its serial, byte for byte; an unknown serial is 404', async () => {
        for (const serial of [1, 2, 3]) expect((await write(stateDocument(serial))).status).toBe(200);
        const second = await call('GET', `${versionsPath()}/2`);
        expect(second.status).toBe(200);
        expect(second.text).toBe(stateDocument(2));
        expect(second.headers.get('content-md5')).toBe(md5(stateDocument(2)));
        const missing = await call('GET', `${versionsPath()}/9`);
        expect(missing.status).toBe(404);
        expect(missing.body.error.message).toBe(`stack "${stackId}" has no state version with serial 9`);
        expect((await call('GET', `${versionsPath()}/-1`)).status).toBe(400);
        expect((await call('GET', `${versionsPath()}/two`)).status).toBe(400);
        // After a new lineage reuses a serial, the newest version with it is served.
        expect((await write(stateDocument(2, 'lineage-2'))).status).toBe(200);
        expect((await call('GET', `${versionsPath()}/2`)).text).toBe(stateDocument(2, 'lineage-2'));
        const { auth } = await runWithCredentials('PROPOSED');
        expect((await call('GET', `${versionsPath()}/1`, { auth })).text).toBe(stateDocument(1));
        const stranger = basic(await server.createKey([{ spaceId: (await server.createSpace({ name: 'away' })).id, role: 'admin' }]));
        expect((await call('GET', `${versionsPath()}/1`, { auth: stranger })).status).toBe(404);
      });

      it('accepts the same write again (Terraform retries) without a new version', async () => {
        const document = stateDocument(4);
        expect((await write(document)).body.outcome).toBe('stored');
        const again = await write(document);
        expect(again.status).toBe(200);
        expect(again.body.outcome).toBe('unchanged');
        expect((await call('GET', versionsPath())).body).toHaveLength(1);
      });

      it('refuses a serial that goes backwards and the same serial with other content (409), and keeps the state', async () => {
        expect((await write(stateDocument(5))).status).toBe(200);
        const backwards = await write(stateDocument(4));
        expect(backwards.status).toBe(409);
        expect(backwards.body.error.message).toBe("the state's serial goes backwards: 4 is older than the stored 5 of lineage lineage-1; nothing was stored");
        const diverged = await write(stateDocument(5, 'lineage-1', 'other'));
        expect(diverged.status).toBe(409);
        expect(diverged.body.error.message).toMatch(/^serial 5 of lineage lineage-1 is already stored with other content/);
        expect((await call('GET', statePath())).text).toBe(stateDocument(5));
      });

      it('takes a new lineage as a replacement (state push -force)', async () => {
        expect((await write(stateDocument(5))).status).toBe(200);
        expect((await write(stateDocument(1, 'lineage-2'))).status).toBe(200);
        expect((await call('GET', statePath())).text).toBe(stateDocument(1, 'lineage-2'));
        expect(await currentStateSerial(server.db, stackId)).toEqual({ serial: 1, lineage: 'lineage-2' });
      });

      it('refuses a body that does not match its Content-MD5, or is not a state (400); an empty body stores nothing (204)', async () => {
        const document = stateDocument(1);
        const tampered = await call('POST', statePath(), { body: document, headers: { 'content-md5': md5(`${document} `) } });
        expect(tampered.status).toBe(400);
        expect(tampered.body.error.message).toMatch(/^Content-MD5 does not match the body/);
        for (const [body, problem] of [
          ['{', 'the state is not valid JSON'],
          ['[1]', 'the state must be a JSON object'],
          ['{"version":4,"serial":-1,"lineage":"x"}', 'the state has no valid "serial"'],
          ['{"version":4,"serial":1}', 'the state has no valid "lineage"'],
        ]) {
          const answer = await call('POST', statePath(), { body, headers: { 'content-type': 'text/plain' } });
          expect([body, answer.status]).toEqual([body, 400]);
          expect(answer.body.error.message).toContain(problem);
        }
        expect((await call('POST', statePath(), { body: '' })).status).toBe(204);
        expect((await call('GET', statePath())).status).toBe(204);
      });

      it('refuses a state over the size limit with 413', async () => {
        const padded = JSON.stringify({ version: 4, serial: 1, lineage: 'l', padding: 'x'.repeat(MAX_STATE_BYTES) });
        const answer = await call('POST', statePath(), { body: padded });
        expect(answer.status).toBe(413);
        expect(answer.body.error).toEqual({
          code: 'payload_too_large',
          message: `the body is larger than the ${MAX_STATE_BYTES}-byte limit of this endpoint (liftgate serve --max-state-bytes); nothing was stored`,
          details: { limitBytes: MAX_STATE_BYTES },
        });
        expect((await call('GET', statePath())).status).toBe(204);
      });

      it('keeps the state encrypted at rest', async () => {
        const marker = `marker-${randomUUID()}`;
        expect((await write(stateDocument(1, 'lineage-1', marker))).status).toBe(200);
        const rows = await server.db.query<{ content_sealed: Uint8Array }>('SELECT content_sealed FROM terraform_state_versions');
        expect(rows).toHaveLength(1);
        const stored = Buffer.from((rows[0] as { content_sealed: Uint8Array }).content_sealed);
        expect(stored.includes(marker)).toBe(false);
        expect(stored.includes('lineage-1')).toBe(false);
        expect(stored.subarray(0, 3).toString()).toBe('v1:');
      });
    });

    describe('locking', () => {
      it('locks with POST (exactly 200), names the holder on a conflict (409 with its LockInfo) and grants a retry of the same ID', async () => {
        const granted = await lock('lock-a');
        expect(granted.status).toBe(200);
        const keyId = (await server.request('GET', '/api/v1/api-keys')).body[0].id;
        expect(granted.body).toEqual({
          ID: 'lock-a',
          Operation: 'OperationTypeApply',
          Info: '',
          Who: `API key "root admin" (${keyId}), root@laptop`,
          Version: '1.11.4',
          Created: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
          Path: '',
        });
        expect(granted.body.Created).not.toBe('2020-01-01T00:00:00Z');
        const refused = await lock('lock-b');
        expect(refused.status).toBe(409);
        expect(refused.body).toMatchObject({ ID: 'lock-a', Who: granted.body.Who, Created: granted.body.Created, Operation: 'OperationTypeApply' });
        expect(refused.body.error).toMatchObject({ code: 'conflict', message: expect.stringContaining('is locked by API key "root admin"') });
        expect((await lock('lock-a')).status).toBe(200);
      });

      it('takes writes only with the lock\'s ?ID= while locked, and none with an ID while unlocked (409)', async () => {
        expect((await lock('lock-a')).status).toBe(200);
        const withoutId = await write(stateDocument(1));
        expect(withoutId.status).toBe(409);
        expect(withoutId.body.error.message).toBe("the state is locked (ID lock-a); a write must carry the lock's ?ID=");
        expect(withoutId.body.error.details.lock.ID).toBe('lock-a');
        expect((await write(stateDocument(1), { lockId: 'lock-b' })).status).toBe(409);
        expect((await write(stateDocument(1), { lockId: 'lock-a' })).status).toBe(200);
        expect((await unlock('lock-a')).status).toBe(200);
        const stale = await write(stateDocument(2), { lockId: 'lock-a' });
        expect(stale.status).toBe(409);
        expect(stale.body.error.message).toMatch(/not locked \(was its lock force-unlocked\?\)/);
        expect((await write(stateDocument(2))).status).toBe(200);
      });

      it('unlocks with DELETE and the lock\'s ID; another ID is 409 with the holder; an unlocked state answers 200', async () => {
        expect((await lock('lock-a')).status).toBe(200);
        const wrong = await unlock('lock-b');
        expect(wrong.status).toBe(409);
        expect(wrong.body.ID).toBe('lock-a');
        const released = await unlock('lock-a');
        expect(released.status).toBe(200);
        expect(released.body.released.ID).toBe('lock-a');
        const again = await unlock('lock-a');
        expect(again.status).toBe(200);
        expect(again.body).toEqual({ released: null });
        expect((await lock('lock-b')).status).toBe(200);
        expect((await call('DELETE', `${lockPath()}?ID=lock-b`)).status).toBe(200);
        expect((await lock('lock-c')).status).toBe(200);
      });

      it('treats an unlock without an ID as a force-unlock, for admins only', async () => {
        expect((await lock('lock-a')).status).toBe(200);
        for (const role of ['read', 'write'] as const) {
          const key = await server.createKey([{ spaceId: 'root', role }]);
          const refused = await unlock(null, basic(key));
          expect(refused.status).toBe(403);
          expect(refused.body.error.message).toMatch(/force-unlock the state \(an unlock without the lock ID\).*needs the admin role/);
        }
        const forced = await unlock(null);
        expect(forced.status).toBe(200);
        expect(forced.body.released.ID).toBe('lock-a');
        expect((await lock('lock-b')).status).toBe(200);
      });

      it('refuses a lock request that is not a LockInfo, or does not match its Content-MD5 (400)', async () => {
        for (const body of ['', 'nope', '{"Who":"x"}', '{"ID":""}']) {
          const answer = await call('POST', lockPath(), { body });
          expect([body, answer.status]).toEqual([body, 400]);
        }
        const tampered = await call('POST', lockPath(), { body: lockInfo('a'), headers: { 'content-md5': md5('x') } });
        expect(tampered.status).toBe(400);
        expect((await lock('lock-a')).status).toBe(200);
      });

      it('grants exactly one of two concurrent locks, and stores exactly one of two concurrent writes of the next serial', async () => {
        const answers = await Promise.all(['lock-a', 'lock-b', 'lock-c'].map((id) => lock(id)));
        expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409, 409]);
        const holder = answers.find((answer) => answer.status === 200)?.body.ID;
        expect(answers.filter((answer) => answer.status === 409).every((answer) => answer.body.ID === holder)).toBe(true);
        expect((await unlock(holder)).status).toBe(200);
        const writes = await Promise.all(['a', 'b', 'c'].map((marker) => write(stateDocument(7, 'lineage-1', marker))));
        expect(writes.map((answer) => answer.status).sort()).toEqual([200, 409, 409]);
        expect((await call('GET', versionsPath())).body).toHaveLength(1);
      });
    });

    describe('roles', () => {
      it('lets read read; write, lock and force-unlock need admin (403); no role on the space is 404, like a missing stack', async () => {
        expect((await write(stateDocument(1))).status).toBe(200);
        const reader = basic(await server.createKey([{ spaceId: 'root', role: 'read' }]));
        const writer = basic(await server.createKey([{ spaceId: 'root', role: 'write' }]));
        const space = await server.createSpace({ name: 'elsewhere' });
        const stranger = basic(await server.createKey([{ spaceId: space.id, role: 'admin' }]));
        expect((await call('GET', statePath(), { auth: reader })).status).toBe(200);
        expect((await call('GET', versionsPath(), { auth: reader })).status).toBe(200);
        for (const auth of [reader, writer]) {
          const refused = await write(stateDocument(2), { auth });
          expect(refused.status).toBe(403);
          expect(refused.body.error.details).toMatchObject({ role: 'admin', spaceId: 'root', operation: 'write' });
          expect((await lock('x', auth)).status).toBe(403);
        }
        for (const answer of [
          await call('GET', statePath(), { auth: stranger }),
          await call('GET', versionsPath(), { auth: stranger }),
          await write(stateDocument(2), { auth: stranger }),
          await lock('x', stranger),
          await unlock(null, stranger),
          await call('GET', statePath('no-such-stack')),
          await write(stateDocument(2), { id: 'no-such-stack' }),
        ]) {
          expect(answer.status).toBe(404);
          expect(answer.body.error.code).toBe('not_found');
        }
      });
    });

    describe('one-off run credentials', () => {
      it('let a PROPOSED run read only: its write or lock is 403', async () => {
        expect((await write(stateDocument(1))).status).toBe(200);
        const { auth } = await runWithCredentials('PROPOSED');
        expect((await call('GET', statePath(), { auth })).text).toBe(stateDocument(1));
        expect((await call('GET', versionsPath(), { auth })).status).toBe(200);
        const refusedWrite = await write(stateDocument(2), { auth });
        expect(refusedWrite.status).toBe(403);
        expect(refusedWrite.body.error.message).toBe('a PROPOSED run may not write the state; its credentials allow: read');
        expect((await lock('run-lock', auth)).status).toBe(403);
        expect((await unlock('run-lock', auth)).status).toBe(403);
      });

      it('let a TRACKED run lock, write with its ID and unlock, but not force-unlock; the versions name the run', async () => {
        const { runId, auth } = await runWithCredentials('TRACKED', 'APPLYING');
        const granted = await lock('run-lock', auth);
        expect(granted.status).toBe(200);
        expect(granted.body.Who).toBe(`Liftgate run ${runId} (TRACKED) of stack ${stackId}, root@laptop`);
        expect((await lock('admin-lock')).body.Who).toBe(granted.body.Who);
        expect((await write(stateDocument(1), { auth, lockId: 'run-lock' })).status).toBe(200);
        expect((await unlock(null, auth)).status).toBe(403);
        expect((await unlock('run-lock', auth)).status).toBe(200);
        expect((await call('GET', versionsPath())).body[0].createdBy).toEqual({ kind: 'run', id: runId });
      });

      it('stop working when the run ends (401), are replaced by minting again, and are revoked on demand', async () => {
        const { runId, auth } = await runWithCredentials('TRACKED', 'PLANNING');
        expect((await call('GET', statePath(), { auth })).status).toBe(204);
        for (const ended of ['FINISHED', 'FAILED', 'CANCELED', 'DISCARDED']) {
          await setRunState(runId, ended);
          const refused = await call('GET', statePath(), { auth });
          expect([ended, refused.status]).toEqual([ended, 401]);
          expect(refused.body.error.message).toBe(`the state credentials of run ${runId} expired when the run ended (${ended})`);
        }
        await setRunState(runId, 'CONFIRMED');
        expect((await call('GET', statePath(), { auth })).status).toBe(204);
        const minted = await mintRunStateCredentials(server.db, runId);
        expect(minted.password).toMatch(/^lgr_[A-Za-z0-9_-]{43}$/);
        expect((await call('GET', statePath(), { auth })).status).toBe(401);
        expect((await call('GET', statePath(), { auth: basic(minted.password) })).status).toBe(204);
        await revokeRunStateCredentials(server.db, runId);
        expect((await call('GET', statePath(), { auth: basic(minted.password) })).status).toBe(401);
        await setRunState(runId, 'FINISHED');
        await expect(mintRunStateCredentials(server.db, runId)).rejects.toThrow(`run ${runId} has ended (FINISHED); state credentials for it would never work`);
        await expect(mintRunStateCredentials(server.db, randomUUID())).rejects.toThrow(/does not exist/);
      });

      it("reach only their own stack's state (404 elsewhere) and are stored hashed", async () => {
        const other = (await server.createStack({ name: 'other' })).id;
        const { runId, auth } = await runWithCredentials('TRACKED', 'APPLYING', other);
        expect((await call('GET', statePath(), { auth })).status).toBe(404);
        expect((await lock('x', auth)).status).toBe(404);
        expect((await call('GET', statePath(other), { auth })).status).toBe(204);
        const password = (auth.split(' ')[1] as string) && Buffer.from(auth.split(' ')[1] as string, 'base64').toString().split(':')[1];
        const stored = await server.db.query<{ secret_hash: string }>('SELECT secret_hash FROM run_state_credentials WHERE run_id = $1', [runId]);
        expect(stored[0]?.secret_hash).toBe(createHash('sha256').update(password as string).digest('hex'));
      });

      it("leave no usable lock when the run ends: a lock held by an ended run is stale, and can be released explicitly", async () => {
        const { runId, auth } = await runWithCredentials('TRACKED', 'APPLYING');
        expect((await lock('run-lock', auth)).status).toBe(200);
        expect((await lock('admin-lock')).status).toBe(409);
        await setRunState(runId, 'FAILED');
        expect((await lock('admin-lock')).status).toBe(200);
        expect((await unlock('admin-lock')).status).toBe(200);

        const second = await runWithCredentials('TRACKED', 'APPLYING');
        expect((await lock('second-lock', second.auth)).status).toBe(200);
        expect(await releaseStateLocksOfRun(server.db, second.runId)).toEqual([stackId]);
        expect(await releaseStateLocksOfRun(server.db, second.runId)).toEqual([]);
        expect((await write(stateDocument(1))).status).toBe(200);
      });

      it('give the worker the whole TF_HTTP_* environment', async () => {
        const [row] = await server.db.query<{ id: string }>(
          `INSERT INTO runs (stack_id, kind, state, trigger, branch) VALUES ($1, 'TRACKED', 'PREPARING', 'manual', 'main') RETURNING id`,
          [stackId],
        );
        const environment = await runStateBackendEnvironment(server.db, { runId: (row as { id: string }).id, stackId, endpoint: server.publicUrl });
        expect(environment).toEqual({
          TF_HTTP_ADDRESS: `${server.publicUrl}${statePath()}`,
          TF_HTTP_LOCK_ADDRESS: `${server.publicUrl}${lockPath()}`,
          TF_HTTP_UNLOCK_ADDRESS: `${server.publicUrl}${lockPath()}`,
          TF_HTTP_LOCK_METHOD: 'POST',
          TF_HTTP_UNLOCK_METHOD: 'DELETE',
          TF_HTTP_USERNAME: 'liftgate-run',
          TF_HTTP_PASSWORD: expect.stringMatching(/^lgr_/),
        });
        expect((await call('GET', statePath(), { auth: basic(environment.TF_HTTP_PASSWORD as string) })).status).toBe(204);
      });
    });

    describe('a stack with manageState false', () => {
      it('has no state endpoint (409 on every route) and keeps the stored state for when it is turned on again', async () => {
        expect((await write(stateDocument(3))).status).toBe(200);
        const patched = await server.request('PATCH', `/api/v1/stacks/${stackId}`, { body: { manageState: false } });
        expect(patched.status).toBe(200);
        expect(patched.body.manageState).toBe(false);
        for (const answer of [
          await call('GET', statePath()),
          await write(stateDocument(4)),
          await lock('x'),
          await unlock(null),
          await call('GET', versionsPath()),
        ]) {
          expect(answer.status).toBe(409);
          expect(answer.body.error.message).toMatch(/does not keep its Terraform state in Liftgate \(manageState is false\)/);
        }
        const stranger = basic(await server.createKey([{ spaceId: (await server.createSpace({ name: 'x' })).id, role: 'admin' }]));
        expect((await call('GET', statePath(), { auth: stranger })).status).toBe(404);
        expect((await server.request('PATCH', `/api/v1/stacks/${stackId}`, { body: { manageState: true } })).status).toBe(200);
        expect((await call('GET', statePath())).text).toBe(stateDocument(3));
      });
    });

    it('deletes the state and its versions with the stack', async () => {
      expect((await write(stateDocument(1))).status).toBe(200);
      expect((await lock('a')).status).toBe(200);
      expect((await server.request('DELETE', `/api/v1/stacks/${stackId}`)).status).toBe(204);
      expect(await server.db.query('SELECT 1 FROM terraform_states')).toHaveLength(0);
      expect(await server.db.query('SELECT 1 FROM terraform_state_versions')).toHaveLength(0);
      expect((await call('GET', statePath())).status).toBe(404);
    });

    it('describes the state routes in the OpenAPI document with Basic and Bearer authentication', async () => {
      const document = (await server.request('GET', '/api/v1/openapi.json', { key: null })).body;
      expect(document.components.securitySchemes.basicAuth).toMatchObject({ type: 'http', scheme: 'basic' });
      for (const [path, methods] of [
        ['/api/v1/stacks/{id}/state', ['get', 'post']],
        ['/api/v1/stacks/{id}/state/lock', ['post', 'delete']],
        ['/api/v1/stacks/{id}/state/versions', ['get']],
        ['/api/v1/stacks/{id}/state/versions/{serial}', ['get']],
      ] as const) {
        for (const method of methods) expect(document.paths[path][method].security).toEqual([{ basicAuth: [] }, { bearerAuth: [] }]);
      }
      expect(Object.keys(document.paths['/api/v1/stacks/{id}/state/lock'].post.responses)).toEqual(expect.arrayContaining(['200', '409']));

      // Real answers match the documented schemas: a lock, a lock conflict, the versions.
      const ajv = new Ajv({ strict: false, allErrors: true });
      ajv.addSchema({ components: document.components }, 'openapi');
      const schemaFor = (path: string, method: string, status: number) =>
        JSON.parse(JSON.stringify(document.paths[path][method].responses[String(status)].content['application/json'].schema).replace(/"#\/components\//g, '"openapi#/components/'));
      expect(ajv.validate(schemaFor('/api/v1/stacks/{id}/state/lock', 'post', 200), (await lock('a')).body)).toBe(true);
      expect(ajv.validate(schemaFor('/api/v1/stacks/{id}/state/lock', 'post', 409), (await lock('b')).body)).toBe(true);
      expect(ajv.validate(schemaFor('/api/v1/stacks/{id}/state', 'post', 200), (await write(stateDocument(1), { lockId: 'a' })).body)).toBe(true);
      expect(ajv.validate(schemaFor('/api/v1/stacks/{id}/state/versions', 'get', 200), (await call('GET', versionsPath())).body)).toBe(true);
      expect(ajv.validate(schemaFor('/api/v1/stacks/{id}/state/lock', 'delete', 200), (await unlock('a')).body)).toBe(true);
    });
  },
  { maxStateBytes: MAX_STATE_BYTES },
);
