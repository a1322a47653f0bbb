/**
 * The state server driven by the real terraform binary, the way runs will use it: the stack's code gets
 * liftgate_backend_override.tf (an empty `backend "http"` block) and every setting comes from TF_HTTP_* variables,
 * against a real `liftgate serve` on the embedded store and on PostgreSQL. Covers init, apply with locking, a second
 * apply refused with the holder named, `terraform force-unlock` after a killed apply, `state pull`/`push`, the
 * versions, roles, and (on PostgreSQL, where the test can reach the store beside the server) runs' one-off
 * credentials. Every error path is also tested over plain HTTP in test/server/state.test.ts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BACKEND_OVERRIDE_CONTENT, BACKEND_OVERRIDE_FILE, stateBackendEnvironment } from '../../src/domain/state';
import { mintRunStateCredentials } from '../../src/server/state/run-credentials';
import { openDatabase, type Database } from '../../src/server/store/database';
import { startServe, type RunningServe } from '../helpers/cli';
import { callApi } from '../helpers/serve';
import { startPostgres, type PostgresCluster } from '../helpers/postgres';
import { expectSuccess, runTerraform, type TerraformResult } from '../helpers/terraform';

jest.setTimeout(240_000);

/** A stack's code: built-in resources only, a provisioner that sleeps while the state is locked, and its own local backend. */
function stackCode(round: number, sleepSeconds = 0): string {
  return `
terraform {
  backend "local" {}
}

resource "terraform_data" "app" {
  input            = "round-${round}"
  triggers_replace = [${round}]

  provisioner "local-exec" {
    command = "sleep ${sleepSeconds}"
  }
}

output "round" {
  value = terraform_data.app.output
}
`;
}

interface Versions {
  serial: number;
  lineage: string;
  createdBy: { kind: string; id: string };
}

describe.each(['pglite', 'postgres'] as const)('the state server with real terraform [%s]', (engine) => {
  let work: string;
  let cluster: PostgresCluster | null = null;
  let serve: RunningServe;
  let url: string;
  let adminKey: string;
  let stackId: string;
  let cliConfig: string;
  let workdir: string;

  const api = (method: string, path: string, body?: unknown, key = adminKey) => callApi(url, key, method, path, body);

  /** Terraform's environment as a run gets it: the backend's settings and credentials in TF_HTTP_*. */
  const backendEnv = (password: string, username = 'ci') => stateBackendEnvironment({ endpoint: url, stackId, username, password });

  const terraform = (args: string[], password = adminKey, dir = workdir): Promise<TerraformResult> =>
    runTerraform(args, { cwd: dir, cliConfig, timeoutMs: 120_000, env: backendEnv(password) });

  /** `terraform apply` in the background, in its own process group (so a SIGKILL takes its provisioner too). */
  const applyInBackground = (): { child: ChildProcess; output: () => string; exited: Promise<number | null> } => {
    const env: NodeJS.ProcessEnv = { ...process.env, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', TF_CLI_CONFIG_FILE: cliConfig, ...backendEnv(adminKey) };
    delete env.TF_LOG;
    const child = spawn('terraform', ['apply', '-auto-approve', '-no-color', '-input=false'], { cwd: workdir, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    return { child, output: () => output, exited };
  };

  const waitFor = async (what: string, condition: () => boolean, timeoutMs = 60_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  const versions = async (): Promise<Versions[]> => (await api('GET', `/api/v1/stacks/${stackId}/state/versions`)).body;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'liftgate-state-e2e-'));
    const args = ['--data-dir', join(work, 'data'), '--max-state-bytes', '1MiB'];
    if (engine === 'postgres') {
      cluster = await startPostgres();
      args.push('--database-url', await cluster.createDatabase('state'));
    }
    serve = await startServe(args, { timeoutMs: 60_000 });
    url = serve.url.replace(/\/+$/, '');
    adminKey = readFileSync(join(work, 'data', 'admin.key'), 'utf8').trim();
    cliConfig = join(work, 'terraform.rc');
    writeFileSync(cliConfig, '');
    expect((await api('POST', '/api/v1/integrations/bitbucket-datacenter', { name: 'default', isDefault: true, apiHost: 'private://agents', username: 'svc', accessToken: 't' })).status).toBe(201);
    stackId = (await api('POST', '/api/v1/stacks', { name: 'network', vcs: { projectKey: 'PLAT', repositorySlug: 'network', branch: 'main' } })).body.id;
    workdir = join(work, 'code');
    mkdirSync(workdir);
    writeFileSync(join(workdir, 'main.tf'), stackCode(1));
    writeFileSync(join(workdir, BACKEND_OVERRIDE_FILE), BACKEND_OVERRIDE_CONTENT);
  }, 120_000);

  afterAll(async () => {
    serve?.child.kill('SIGTERM');
    await serve?.exited;
    await cluster?.stop();
    if (work !== undefined) rmSync(work, { recursive: true, force: true });
  });

  test('init and apply store the state as a version numbered by its serial; state pull reads it back', async () => {
    expect((await api('GET', `/api/v1/stacks/${stackId}/state`)).status).toBe(204);
    expectSuccess(await terraform(['init', '-no-color', '-input=false']));
    expectSuccess(await terraform(['apply', '-auto-approve', '-no-color', '-input=false']));
    const stored = await versions();
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ serial: 1, createdBy: { kind: 'api-key' } });
    const pulled = await terraform(['state', 'pull']);
    expectSuccess(pulled);
    const state = JSON.parse(pulled.stdout);
    expect(state).toMatchObject({ serial: 1, lineage: stored[0]?.lineage, outputs: { round: { value: 'round-1' } } });
    const served = await fetch(`${url}/api/v1/stacks/${stackId}/state`, { headers: { authorization: `Bearer ${adminKey}` } });
    expect(JSON.parse(await served.text())).toEqual(state);
    const plan = await terraform(['plan', '-detailed-exitcode', '-no-color', '-input=false']);
    expect(plan.code).toBe(0);
  });

  test('a second apply while the first holds the lock is refused with the holder named; the first finishes', async () => {
    writeFileSync(join(workdir, 'main.tf'), stackCode(2, 8));
    const first = applyInBackground();
    await waitFor('the first apply to start provisioning', () => first.output().includes("Provisioning with 'local-exec'"));
    const second = await terraform(['apply', '-auto-approve', '-no-color', '-input=false', '-lock-timeout=0s']);
    // Terraform prints the holder's ID from the 409 (its "Lock Info" block is its own request's); the same 409 names
    // the holder for anyone who asks.
    const holder = await fetch(`${url}/api/v1/stacks/${stackId}/state/lock`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ID: 'someone-else' }),
    });
    expect(holder.status).toBe(409);
    const holderInfo = (await holder.json()) as { ID: string; Who: string };
    expect(holderInfo.Who).toMatch(/^API key "root admin" \(key-[0-9a-f]+\), \S+@\S+$/);
    expect(second.code).toBe(1);
    const refusal = `${second.stdout}${second.stderr}`;
    expect(refusal).toContain('Error acquiring the state lock');
    expect(refusal).toMatch(new RegExp(`HTTP remote state already locked:\\s+ID=${holderInfo.ID}`));
    expect(await first.exited).toBe(0);
    expect(first.output()).toContain('Apply complete!');
    const serials = (await versions()).map((version) => version.serial);
    expect(serials.length).toBeGreaterThanOrEqual(2);
    expect(serials).toEqual([...serials].sort((a, b) => b - a));
    expect(new Set(serials).size).toBe(serials.length);
    expect(JSON.parse((await terraform(['state', 'pull'])).stdout).outputs.round.value).toBe('round-2');
  });

  test('after an apply killed while it held the lock, terraform force-unlock frees the state', async () => {
    writeFileSync(join(workdir, 'main.tf'), stackCode(3, 60));
    const killed = applyInBackground();
    await waitFor('the apply to start provisioning', () => killed.output().includes("Provisioning with 'local-exec'"));
    process.kill(-(killed.child.pid as number), 'SIGKILL');
    await killed.exited;
    writeFileSync(join(workdir, 'main.tf'), stackCode(3));
    const locked = await terraform(['plan', '-no-color', '-input=false', '-lock-timeout=0s']);
    expect(locked.code).toBe(1);
    const lockId = /ID:\s+([0-9a-f-]{36})/.exec(`${locked.stdout}${locked.stderr}`)?.[1];
    expect(lockId).toBeDefined();

    // Only an admin may force-unlock: a key with write on the space is refused.
    const writer = (await api('POST', '/api/v1/api-keys', { name: 'writer', roles: [{ spaceId: 'root', role: 'write' }] })).body.secret;
    const refused = await terraform(['force-unlock', '-force', lockId as string], writer);
    expect(refused.code).toBe(1);
    expect(`${refused.stdout}${refused.stderr}`).toContain('Unexpected HTTP response code 403');

    const unlocked = await terraform(['force-unlock', '-force', lockId as string]);
    expectSuccess(unlocked);
    expect(unlocked.stdout).toContain('Terraform state has been successfully unlocked!');
    expectSuccess(await terraform(['apply', '-auto-approve', '-no-color', '-input=false']));
    expect(JSON.parse((await terraform(['state', 'pull'])).stdout).outputs.round.value).toBe('round-3');
  });

  test('state push takes a newer serial and refuses an older one (409), which leaves the state as it was', async () => {
    const current = JSON.parse((await terraform(['state', 'pull'])).stdout);
    const newer = join(work, 'newer.tfstate');
    writeFileSync(newer, JSON.stringify({ ...current, serial: current.serial + 5 }, null, 2));
    expectSuccess(await terraform(['state', 'push', newer]));
    // Terraform's state manager persists the pushed state as the next serial after it.
    const pushed = (await versions())[0]?.serial as number;
    expect(pushed).toBeGreaterThanOrEqual(current.serial + 5);

    const older = join(work, 'older.tfstate');
    writeFileSync(older, JSON.stringify({ ...current, serial: current.serial - 1 }, null, 2));
    const refusedLocally = await terraform(['state', 'push', older]);
    expect(refusedLocally.code).toBe(1);
    const forced = await terraform(['state', 'push', '-force', older]);
    expect(forced.code).toBe(1);
    expect(`${forced.stdout}${forced.stderr}`).toContain('HTTP error: 409');
    expect(JSON.parse((await terraform(['state', 'pull'])).stdout).serial).toBe(pushed);
  });

  test('a key with only read on the space plans without a lock but cannot apply; a state over --max-state-bytes is 413', async () => {
    const reader = (await api('POST', '/api/v1/api-keys', { name: 'reader', roles: [{ spaceId: 'root', role: 'read' }] })).body.secret;
    const plan = await terraform(['plan', '-lock=false', '-detailed-exitcode', '-no-color', '-input=false'], reader);
    expect(plan.code).toBe(0);
    writeFileSync(join(workdir, 'main.tf'), stackCode(4));
    const apply = await terraform(['apply', '-auto-approve', '-no-color', '-input=false'], reader);
    expect(apply.code).toBe(1);
    expect(`${apply.stdout}${apply.stderr}`).toContain('HTTP remote state endpoint invalid auth');

    const huge = JSON.stringify({ version: 4, serial: 1000, lineage: 'x', padding: 'x'.repeat(1024 * 1024) });
    const tooLarge = await fetch(`${url}/api/v1/stacks/${stackId}/state`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: huge,
    });
    expect(tooLarge.status).toBe(413);
  });

  (engine === 'postgres' ? describe : describe.skip)("runs' one-off credentials (the store is reachable beside the server)", () => {
    let db: Database;

    beforeAll(async () => {
      db = await openDatabase({ url: (cluster as PostgresCluster).url('state') });
    });
    afterAll(async () => db?.close());

    const runOf = async (kind: 'TRACKED' | 'PROPOSED', state: string): Promise<{ runId: string; password: string }> => {
      const [row] = await db.query<{ id: string }>(
        `INSERT INTO runs (stack_id, kind, state, trigger, branch) VALUES ($1, $2, $3, 'manual', 'main') RETURNING id`,
        [stackId, kind, state],
      );
      const runId = (row as { id: string }).id;
      return { runId, password: (await mintRunStateCredentials(db, runId)).password };
    };

    test('a PROPOSED run plans with -lock=false; its apply is refused (403 on the lock)', async () => {
      const { password } = await runOf('PROPOSED', 'PLANNING');
      const plan = await terraform(['plan', '-lock=false', '-no-color', '-input=false'], password);
      expectSuccess(plan);
      expect(plan.stdout).toMatch(/1 to add, 0 to change, 1 to destroy/);
      const apply = await terraform(['apply', '-auto-approve', '-no-color', '-input=false'], password);
      expect(apply.code).toBe(1);
      expect(`${apply.stdout}${apply.stderr}`).toContain('HTTP remote state endpoint invalid auth');
    });

    test('a TRACKED run applies (lock, write with ?ID=, unlock) and the version names it; once finished its credentials get 401', async () => {
      const { runId, password } = await runOf('TRACKED', 'APPLYING');
      expectSuccess(await terraform(['apply', '-auto-approve', '-no-color', '-input=false'], password));
      expect((await versions())[0]?.createdBy).toEqual({ kind: 'run', id: runId });
      await db.query(`UPDATE runs SET state = 'FINISHED' WHERE id = $1`, [runId]);
      const after = await terraform(['plan', '-lock=false', '-no-color', '-input=false'], password);
      expect(after.code).toBe(1);
      expect(`${after.stdout}${after.stderr}`).toContain('HTTP remote state endpoint requires auth');
    });
  });
});
