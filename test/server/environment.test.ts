/** Stack environment variables (SPEC §7.5) over the API, and what a run reads of them, on both store engines. */
import { maskSecrets } from '../../src/domain/environment';
import { stackEnvironmentForRun } from '../../src/server/environment';
import { SecretBox } from '../../src/server/secrets';
import { describeEachEngine } from './harness';

describeEachEngine('stack environment variables', (server) => {
  let stackId: string;
  const path = (name?: string, id = stackId) => `/api/v1/stacks/${id}/environment${name === undefined ? '' : `/${encodeURIComponent(name)}`}`;

  beforeEach(async () => {
    await server.createIntegration({ name: 'default', isDefault: true });
    stackId = (await server.createStack({ name: 'network' })).id;
  });

  it('creates (201), replaces (200) and lists variables by name; secret values are never returned', async () => {
    const created = await server.request('PUT', path('AWS_REGION'), { body: { value: 'eu-west-1' } });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ name: 'AWS_REGION', value: 'eu-west-1', secret: false, createdAt: expect.any(String), updatedAt: expect.any(String) });
    const secret = await server.request('PUT', path('DB_PASSWORD'), { body: { value: 'hunter2', secret: true } });
    expect(secret.status).toBe(201);
    expect(secret.body).toMatchObject({ name: 'DB_PASSWORD', value: null, secret: true });
    const replaced = await server.request('PUT', path('AWS_REGION'), { body: { value: 'us-east-1', secret: false } });
    expect(replaced.status).toBe(200);
    expect(replaced.body.value).toBe('us-east-1');
    expect(replaced.body.createdAt).toBe(created.body.createdAt);
    await server.request('PUT', path('_b'), { body: { value: '' } });
    const listed = await server.request('GET', path());
    expect(listed.status).toBe(200);
    expect(listed.body.map((variable: { name: string; value: string | null }) => [variable.name, variable.value])).toEqual([
      ['AWS_REGION', 'us-east-1'],
      ['DB_PASSWORD', null],
      ['_b', ''],
    ]);
    expect(JSON.stringify(listed.body)).not.toContain('hunter2');
  });

  it('turns a secret variable into a plain one and back only with a new value', async () => {
    await server.request('PUT', path('TOKEN'), { body: { value: 's3cret', secret: true } });
    const plain = await server.request('PUT', path('TOKEN'), { body: { value: 'public', secret: false } });
    expect(plain.body).toMatchObject({ value: 'public', secret: false });
    const missingValue = await server.request('PUT', path('TOKEN'), { body: { secret: true } });
    expect(missingValue.status).toBe(400);
    expect(missingValue.body.error.message).toContain('body.value');
  });

  it('refuses reserved and malformed names with 422 naming the rule', async () => {
    for (const name of ['TF_HTTP_PASSWORD', 'LIFTGATE_RUN_ID', 'PATH', 'HOME', 'TF_CLI_ARGS_plan', 'TF_WORKSPACE', 'TF_LOG', 'TF_REATTACH_PROVIDERS', 'tf_log_path']) {
      const answer = await server.request('PUT', path(name), { body: { value: 'x' } });
      expect([name, answer.status]).toEqual([name, 422]);
      expect(answer.body.error.message).toMatch(new RegExp(`^${name} is reserved`));
      expect(answer.body.error.details).toEqual({ field: 'name' });
    }
    for (const name of ['1ABC', 'A-B', 'A.B', 'with space', 'Ä']) {
      const answer = await server.request('PUT', path(name), { body: { value: 'x' } });
      expect([name, answer.status]).toEqual([name, 422]);
      expect(answer.body.error.message).toMatch(/must match \^\[A-Za-z_\]\[A-Za-z0-9_\]\*\$/);
    }
    expect((await server.request('GET', path())).body).toEqual([]);
  });

  it('refuses values over 64 KiB (422), NUL characters (400) and a stack whose variables would exceed 1 MiB together (422)', async () => {
    const tooLong = await server.request('PUT', path('BIG'), { body: { value: 'x'.repeat(64 * 1024 + 1) } });
    expect(tooLong.status).toBe(422);
    expect(tooLong.body.error).toMatchObject({ message: 'the value is 65537 bytes; at most 65536 bytes are allowed', details: { field: 'value' } });
    expect((await server.request('PUT', path('NUL'), { body: { value: 'a\u0000b' } })).status).toBe(400);
    for (let index = 0; index < 15; index += 1) {
      expect((await server.request('PUT', path(`V${index}`), { body: { value: 'x'.repeat(64 * 1024), secret: index % 2 === 0 } })).status).toBe(201);
    }
    const over = await server.request('PUT', path('V15'), { body: { value: 'x'.repeat(64 * 1024) } });
    expect(over.status).toBe(422);
    expect(over.body.error.message).toMatch(/would take \d+ bytes together; at most 1048576 bytes are allowed/);
    expect((await server.request('PUT', path('V0'), { body: { value: 'y'.repeat(64 * 1024) } })).status).toBe(200);
    expect((await server.request('GET', path())).body).toHaveLength(15);
  });

  it('deletes a variable (204); a missing one is 404', async () => {
    await server.request('PUT', path('A'), { body: { value: '1' } });
    expect((await server.request('DELETE', path('A'))).status).toBe(204);
    const missing = await server.request('DELETE', path('A'));
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toBe(`stack "${stackId}" has no environment variable "A"`);
  });

  it('needs write on the space to set or delete, read to list; others and missing stacks get 404', async () => {
    await server.request('PUT', path('A'), { body: { value: '1' } });
    const reader = await server.createKey([{ spaceId: 'root', role: 'read' }]);
    const writer = await server.createKey([{ spaceId: 'root', role: 'write' }]);
    const stranger = await server.createKey([{ spaceId: (await server.createSpace({ name: 'other' })).id, role: 'admin' }]);
    expect((await server.request('GET', path(), { key: reader })).status).toBe(200);
    const refused = await server.request('PUT', path('B'), { body: { value: '2' }, key: reader });
    expect(refused.status).toBe(403);
    expect(refused.body.error.details).toMatchObject({ role: 'write', spaceId: 'root' });
    expect((await server.request('DELETE', path('A'), { key: reader })).status).toBe(403);
    expect((await server.request('PUT', path('B'), { body: { value: '2' }, key: writer })).status).toBe(201);
    expect((await server.request('DELETE', path('B'), { key: writer })).status).toBe(204);
    for (const key of [stranger]) {
      expect((await server.request('GET', path(), { key })).status).toBe(404);
      expect((await server.request('PUT', path('C'), { body: { value: '3' }, key })).status).toBe(404);
      expect((await server.request('DELETE', path('A'), { key })).status).toBe(404);
    }
    expect((await server.request('GET', path(undefined, 'no-such-stack'))).status).toBe(404);
    expect((await server.request('PUT', path('A', 'no-such-stack'), { body: { value: '1' } })).status).toBe(404);
    expect((await server.request('GET', path(), { key: null })).status).toBe(401);
  });

  it('keeps secret values encrypted at rest, bound to their stack and name', async () => {
    await server.request('PUT', path('DB_PASSWORD'), { body: { value: 'correct-horse-battery', secret: true } });
    await server.request('PUT', path('REGION'), { body: { value: 'eu-west-1' } });
    const rows = await server.db.query<{ name: string; value: string | null; value_sealed: string | null }>(
      'SELECT name, value, value_sealed FROM stack_environment_variables ORDER BY name',
    );
    expect(rows).toEqual([
      { name: 'DB_PASSWORD', value: null, value_sealed: expect.stringMatching(/^v1:/) },
      { name: 'REGION', value: 'eu-west-1', value_sealed: null },
    ]);
    expect(JSON.stringify(rows)).not.toContain('correct-horse-battery');
    // A sealed value copied onto another variable does not open.
    await server.request('PUT', path('COPY'), { body: { value: 'x', secret: true } });
    await server.db.query(`UPDATE stack_environment_variables SET value_sealed = $1 WHERE name = 'COPY'`, [rows[0]?.value_sealed]);
    await expect(stackEnvironmentForRun(server.db, new SecretBox(server.encryptionKey), stackId)).rejects.toThrow(
      `the secret environment variable "COPY" of stack "${stackId}" cannot be decrypted with this encryption key`,
    );
  });

  it("gives a run the stack's variables decrypted, and the secret values to mask", async () => {
    await server.request('PUT', path('DB_PASSWORD'), { body: { value: 'hunter2', secret: true } });
    await server.request('PUT', path('TLS_KEY'), { body: { value: '-----BEGIN KEY-----\nMIIEowIBAAKCAQEA\n-----END KEY-----', secret: true } });
    await server.request('PUT', path('REGION'), { body: { value: 'eu-west-1' } });
    const other = (await server.createStack({ name: 'other' })).id;
    await server.request('PUT', path('OTHER', other), { body: { value: 'not mine' } });
    const environment = await stackEnvironmentForRun(server.db, new SecretBox(server.encryptionKey), stackId);
    expect(environment.variables).toEqual({
      DB_PASSWORD: 'hunter2',
      REGION: 'eu-west-1',
      TLS_KEY: '-----BEGIN KEY-----\nMIIEowIBAAKCAQEA\n-----END KEY-----',
    });
    expect(environment.skipped).toEqual([]);
    expect(maskSecrets('password hunter2, key MIIEowIBAAKCAQEA, region eu-west-1', environment.secretMasks)).toBe('password ***, key ***, region eu-west-1');
  });

  it('leaves out a stored variable whose name became reserved, and says so', async () => {
    await server.request('PUT', path('GOOD'), { body: { value: '1' } });
    await server.db.query(
      `INSERT INTO stack_environment_variables (stack_id, name, secret, value, value_bytes) VALUES ($1, 'TF_LOG', false, 'TRACE', 5)`,
      [stackId],
    );
    const environment = await stackEnvironmentForRun(server.db, new SecretBox(server.encryptionKey), stackId);
    expect(environment.variables).toEqual({ GOOD: '1' });
    expect(environment.skipped).toEqual(['TF_LOG']);
    expect((await server.request('DELETE', path('TF_LOG'))).status).toBe(204);
  });

  it('deletes the variables with the stack', async () => {
    await server.request('PUT', path('A'), { body: { value: '1', secret: true } });
    expect((await server.request('DELETE', `/api/v1/stacks/${stackId}`)).status).toBe(204);
    expect(await server.db.query('SELECT 1 FROM stack_environment_variables')).toHaveLength(0);
  });
});
