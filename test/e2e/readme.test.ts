/**
 * The README's first deployment, run as written: the code blocks that follow a `<!-- test: … -->` comment, in
 * order, in one bash session in a scratch directory with its own HOME, against the emulator and a control plane
 * the README itself starts. Only the ports (7990 and 8710 become free ones) and, before Node 22.19, the CLI
 * (cdktf where the README says cdktn, as it tells CDKTF users to) differ from what a reader types; the packages
 * are the tarballs `npm pack` makes of this checkout. Packages come from the npm registry (through this machine's
 * npm cache), as for the reader.
 *
 * Markers: `run [ID]` runs a shell block; `background "TEXT"` starts one in its own process group and waits for
 * TEXT in its output; `file PATH` writes the block to PATH; `cdktn` / `cdktf` run on that path only; `provided
 * NAME` is done by this test instead (the packages: the README's reader builds them in a clone).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { repoRoot } from '../helpers/cli';
import { freeLoopbackPort } from '../helpers/ports';

jest.setTimeout(10 * 60_000);

/** CDK Terrain where its CLI runs (Node 22.19 or newer, as the README says), CDKTF before. */
const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
const tool: 'cdktn' | 'cdktf' = major > 22 || (major === 22 && minor >= 19) ? 'cdktn' : 'cdktf';

interface Block {
  kind: 'run' | 'background' | 'file' | 'provided' | 'cdktn' | 'cdktf';
  /** The id of a `run` block, the text a `background` one waits for, the path of a `file`, the name `provided`. */
  argument: string;
  text: string;
  /** 1-based line of the marker in README.md, for messages. */
  line: number;
}

const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
const deploymentSection = readme.slice(readme.indexOf('## Your first deployment'), readme.indexOf('\n## ', readme.indexOf('## Your first deployment') + 1));

function markedBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  const marker = /<!-- test: (run|background|file|provided|cdktn|cdktf)(?: (.+?))? -->\n```\w*\n([\s\S]*?)\n```/g;
  for (const match of markdown.matchAll(marker)) {
    const argument = (match[2] ?? '').replace(/^"(.*)"$/, '$1');
    blocks.push({ kind: match[1] as Block['kind'], argument, text: match[3]!, line: markdown.slice(0, match.index).split('\n').length });
  }
  return blocks;
}

/** What a CDKTF user does with the README's CDK Terrain blocks, as the README tells them. */
function forTool(block: Block): string {
  if (tool === 'cdktn') return block.text;
  if (block.kind === 'file' && block.argument === 'main.ts') return block.text.replace(/'cdktn'/g, "'cdktf'").replace(/'liftgate-cdktn'/g, "'liftgate'");
  return block.text.replace(/\bnpx cdktn\b/g, 'npx cdktf');
}

/** One bash process the blocks run in, so that `cd` and `export` carry over as in a terminal. */
class Session {
  private readonly child: ChildProcess;
  private output = '';
  private exited: number | null | undefined;
  private readonly waiters: Array<() => void> = [];
  private readonly background: number[] = [];
  private counter = 0;

  constructor(private readonly scratch: string, env: NodeJS.ProcessEnv) {
    this.child = spawn('bash', ['--noprofile', '--norc'], { cwd: scratch, env, stdio: ['pipe', 'pipe', 'pipe'] });
    const take = (chunk: Buffer) => {
      this.output += chunk.toString();
      for (const wake of this.waiters.splice(0)) wake();
    };
    this.child.stdout!.on('data', take);
    this.child.stderr!.on('data', take);
    this.child.on('exit', (code) => {
      this.exited = code;
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.child.stdin!.write('set -eo pipefail\nexec 2>&1\n');
  }

  /** Runs a shell block; resolves with what it printed, or rejects (the shell stops at the first failing command). */
  async run(script: string, timeoutMs = 5 * 60_000): Promise<string> {
    this.counter += 1;
    const done = `__liftgate_readme_block_${this.counter}_done__`;
    const start = this.output.length;
    this.child.stdin!.write(`${script}\necho ${done}\n`);
    const deadline = Date.now() + timeoutMs;
    while (!this.output.slice(start).includes(`${done}\n`)) {
      if (this.exited !== undefined) throw new Error(`the block failed (the shell exited with ${this.exited}):\n${this.output.slice(start)}`);
      if (Date.now() > deadline) throw new Error(`the block did not finish within ${timeoutMs / 1000} s:\n${this.output.slice(start)}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 1000);
      });
    }
    return this.output.slice(start, this.output.indexOf(`${done}\n`, start));
  }

  /** Starts a block in its own process group, in the session's directory and environment; waits for `ready` in its output. */
  async start(script: string, ready: string): Promise<string> {
    this.counter += 1;
    const file = join(this.scratch, `background-${this.counter}.sh`);
    const log = join(this.scratch, `background-${this.counter}.log`);
    writeFileSync(file, `exec 2>&1\n${script}\n`);
    const pid = Number((await this.run(`setsid bash ${file} > ${log} < /dev/null &\necho "$!"`)).trim());
    this.background.push(pid);
    const deadline = Date.now() + 90_000;
    for (;;) {
      const text = existsSync(log) ? readFileSync(log, 'utf8') : '';
      if (text.includes(ready)) return text;
      if (Date.now() > deadline || !running(pid)) throw new Error(`"${script}" did not print "${ready}":\n${text}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  async close(): Promise<void> {
    for (const pid of this.background) signalGroup(pid, 'SIGTERM');
    const deadline = Date.now() + 15_000;
    while (this.background.some(groupRunning) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
    for (const pid of this.background) signalGroup(pid, 'SIGKILL');
    this.child.kill('SIGKILL');
  }
}

/** Whether the process runs (its group may not exist yet: setsid makes it once the shell's child has started). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function groupRunning(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

/** Terraform and the CDK CLIs print colours and cursor movements even without a terminal. */
function plain(text: string): string {
  return text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
}

describe(`the README's first deployment, as written (${tool} on Node ${process.version}, then plain Terraform)`, () => {
  const blocks = markedBlocks(deploymentSection);
  let scratch: string;
  let home: string;
  let session: Session;
  let emulatorPort: number;
  let servePort: number;
  let next = 0;

  /** Runs the README's blocks in order up to and including the `run` block `id`; answers each block's output by id. */
  async function runThrough(id: string): Promise<Record<string, string>> {
    const outputs: Record<string, string> = {};
    for (; next < blocks.length; next += 1) {
      const block = blocks[next]!;
      if (block.kind === 'provided' || ((block.kind === 'cdktn' || block.kind === 'cdktf') && block.kind !== tool)) continue;
      const text = forTool(block).replace(/\b7990\b/g, String(emulatorPort)).replace(/\b8710\b/g, String(servePort));
      const where = `README.md line ${block.line + (readme.slice(0, readme.indexOf(deploymentSection)).split('\n').length - 1)}`;
      try {
        if (block.kind === 'background') outputs[`background ${block.argument}`] = await session.start(text, block.argument);
        else if (block.kind === 'file') await session.run(`cat > ${block.argument} <<'__LIFTGATE_README_FILE__'\n${text}\n__LIFTGATE_README_FILE__`);
        else outputs[block.argument] = plain(await session.run(text));
      } catch (error) {
        throw new Error(`${where} (${block.kind} ${block.argument}): ${(error as Error).message}`);
      }
      if (block.kind === 'run' && block.argument === id) {
        next += 1;
        return outputs;
      }
    }
    throw new Error(`the README has no block "<!-- test: run ${id} -->" after the ones already run`);
  }

  /** The control plane, as the README's reader's root-admin key sees it. */
  async function api<T>(path: string): Promise<T> {
    const key = readFileSync(join(home, '.liftgate', 'admin.key'), 'utf8').trim();
    const response = await fetch(`http://127.0.0.1:${servePort}${path}`, { headers: { authorization: `Bearer ${key}` } });
    if (!response.ok) throw new Error(`GET ${path} answered ${response.status}: ${await response.text()}`);
    return (await response.json()) as T;
  }

  /** The webhooks that fire for a repository of the emulator (its own and its project's). */
  async function webhooksOf(slug: string): Promise<Array<{ url: string; events: string[]; active: boolean }>> {
    const token = readFileSync(join(home, 'platform', 'bitbucket.json.admin-token'), 'utf8').trim();
    const response = await fetch(`http://127.0.0.1:${emulatorPort}/_emulator/projects/PLAT/repos/${slug}/webhooks`, { headers: { authorization: `Bearer ${token}` } });
    return ((await response.json()) as { values: Array<{ url: string; events: string[]; active: boolean }> }).values;
  }

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'liftgate-readme-'));
    home = join(scratch, 'home');
    const packages = join(scratch, 'packages');
    mkdirSync(home);
    mkdirSync(packages);
    [emulatorPort, servePort] = await Promise.all([freeLoopbackPort(), freeLoopbackPort()]);
    // What the "provided" block does in the reader's clone: this checkout's build, packed.
    const provided = blocks.find((block) => block.kind === 'provided');
    expect(provided?.argument).toBe('LIFTGATE_PACKAGES');
    expect(provided?.text).toContain('npm pack && npm pack -w liftgate-cdktn');
    for (const args of [['pack'], ['pack', '-w', 'liftgate-cdktn']]) {
      const packed = spawnSync('npm', [...args, '--pack-destination', packages], { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 });
      if (packed.status !== 0) throw new Error(`npm ${args.join(' ')} failed:\n${packed.stdout}${packed.stderr}`);
    }
    // Nothing of this machine's setup reaches the blocks but PATH (with this node first), npm's cache and the CA of a
    // TLS-inspecting proxy between it and npm's registry, if any: no TF_*, no LIFTGATE_* or BITBUCKET_*, another HOME
    // (so ~/.terraform.d, ~/.terraformrc and ~/.liftgate are the scratch's). With another node first on PATH, npm no
    // longer reads the global npmrc that names that CA (it looks beside that node), so the CA goes as Node's own.
    session = new Session(scratch, {
      PATH: `${dirname(process.execPath)}:${process.env.PATH}`,
      ...(process.env.NODE_EXTRA_CA_CERTS === undefined ? {} : { NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS }),
      HOME: home,
      LANG: process.env.LANG ?? 'C.UTF-8',
      npm_config_cache: process.env.npm_config_cache ?? join(homedir(), '.npm'),
      npm_config_prefer_offline: 'true',
      npm_config_audit: 'false',
      npm_config_fund: 'false',
      npm_config_update_notifier: 'false',
      LIFTGATE_PACKAGES: packages,
    });
  });

  afterAll(async () => {
    await session?.close();
    if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
  });

  it('marks every code block of the section, so none is skipped unnoticed', () => {
    const fenced = [...deploymentSection.matchAll(/^```/gm)].length / 2;
    expect(blocks.length).toBe(fenced);
    expect(blocks.filter((block) => block.kind === 'cdktn')).toHaveLength(1);
    expect(blocks.filter((block) => block.kind === 'cdktf')).toHaveLength(1);
  });

  it('installs Liftgate into a project, seeds the emulator, starts the control plane and installs the providers', async () => {
    const outputs = await runThrough('deploy');
    expect(outputs['background state kept in']).toContain(`http://127.0.0.1:${emulatorPort}`);
    expect(outputs['background listening on']).toContain(`control plane listening on http://127.0.0.1:${servePort}`);
    const mirror = join(home, '.terraform.d', 'plugins', 'registry.terraform.io', 'liftgate');
    expect(existsSync(join(mirror, 'liftgate'))).toBe(true);
    expect(existsSync(join(mirror, 'bitbucketdc'))).toBe(true);
    // The CDK deploy made what main.ts declares.
    expect(outputs.deploy).toMatch(/Apply complete! Resources: 6 added, 0 changed, 0 destroyed/);
    const integrations = await api<Array<{ id: string; name: string; isDefault: boolean; webhookUrl: string }>>('/api/v1/integrations/bitbucket-datacenter');
    expect(integrations).toEqual([expect.objectContaining({ id: 'bitbucket', name: 'Bitbucket', isDefault: true })]);
    const spaces = await api<Array<{ id: string; name: string }>>('/api/v1/spaces');
    const platform = spaces.find((space) => space.name === 'Platform');
    const stacks = await api<Array<{ name: string; spaceId: string; detached: boolean; vcs: { integrationId: string; repositorySlug: string } }>>('/api/v1/stacks');
    expect(stacks.map((stack) => [stack.name, stack.spaceId, stack.detached, stack.vcs.integrationId]).sort()).toEqual([
      ['dns', platform?.id, false, 'bitbucket'],
      ['network', platform?.id, false, 'bitbucket'],
    ]);
    for (const slug of ['network', 'dns']) {
      const [webhook, ...others] = await webhooksOf(slug);
      expect(others).toEqual([]);
      expect(webhook).toMatchObject({ url: integrations[0]!.webhookUrl, active: true });
      expect(webhook!.events).toHaveLength(8);
    }
    // The token went through TF_VAR_bitbucket_token: not into the synthesized configuration.
    const synthesized = await session.run('test -n "$BITBUCKET_TOKEN"; if grep -rqF -- "$BITBUCKET_TOKEN" cdktf.out; then echo token-in-cdktf.out; else echo token-absent; fi');
    expect(synthesized.trim()).toBe('token-absent');
  });

  it('a push queues a tracked run, and liftgate drift finds nothing', async () => {
    const outputs = await runThrough('push');
    const pushed = JSON.parse(outputs.push!.split('\n').find((line) => line.startsWith('{'))!) as { change: { toHash: string }; deliveries: Array<{ statusCode: number; signed: boolean }> };
    expect(pushed.deliveries).toEqual([expect.objectContaining({ statusCode: 200, signed: true })]);
    expect(outputs.push).toMatch(/^No drift in 2 repositories of 2 stacks/m);
    const network = (await api<Array<{ id: string; name: string }>>('/api/v1/stacks')).find((stack) => stack.name === 'network')!;
    const runs = await api<Array<{ kind: string; commit: string }>>(`/api/v1/stacks/${network.id}/runs`);
    expect(runs).toEqual([expect.objectContaining({ kind: 'TRACKED', commit: pushed.change.toHash })]);
  });

  it('destroy removes everything and warns about no stack it deletes itself', async () => {
    const outputs = await runThrough('destroy');
    expect(outputs.destroy).toMatch(/Destroy complete! Resources: 6 destroyed/);
    expect(outputs.destroy).not.toMatch(/Warning: .*detach/);
    expect(await api<unknown[]>('/api/v1/stacks')).toEqual([]);
    expect(await api<unknown[]>('/api/v1/integrations/bitbucket-datacenter')).toEqual([]);
  });

  it('the plain Terraform version applies, plans clean and locks the providers', async () => {
    const outputs = await runThrough('apply');
    expect(outputs.apply).toMatch(/Apply complete! Resources: 6 added, 0 changed, 0 destroyed/);
    expect(outputs.apply).toContain('No changes. Your infrastructure matches the configuration.');
    const lock = readFileSync(join(home, 'platform', 'terraform', '.terraform.lock.hcl'), 'utf8');
    expect(lock).toMatch(/provider "registry.terraform.io\/liftgate\/liftgate" \{[^}]*h1:/);
    const stacks = await api<Array<{ name: string; detached: boolean }>>('/api/v1/stacks');
    expect(stacks.map((stack) => [stack.name, stack.detached]).sort()).toEqual([
      ['dns', false],
      ['network', false],
    ]);
    for (const slug of ['network', 'dns']) expect((await webhooksOf(slug))[0]!.events).toHaveLength(8);
  });

  it('terraform destroy removes it all, without a detach warning', async () => {
    const outputs = await runThrough('hcl-destroy');
    expect(outputs['hcl-destroy']).toMatch(/Destroy complete! Resources: 6 destroyed/);
    expect(outputs['hcl-destroy']).not.toMatch(/Warning: .*detach/);
    expect(next).toBe(blocks.length);
  });
});
