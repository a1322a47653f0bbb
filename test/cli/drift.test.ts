import { parseDriftFlags, runDrift } from '../../src/cli/drift';
import { checkDrift, type DriftFinding } from '../../src/cli/drift/check';
import { runCli } from '../helpers/cli';
import { DriftFixture } from '../drift/fixture';
import { ControlPlaneProcess } from '../helpers/serve';
import { closedPort } from '../helpers/http';

jest.setTimeout(90_000);

function byRepository(findings: DriftFinding[]): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  for (const finding of findings) {
    const key = finding.repository === null ? '(none)' : `${finding.repository.projectKey}/${finding.repository.repositorySlug}`;
    (result[key] ??= []).push(finding.kind);
  }
  return result;
}

describe('liftgate drift', () => {
  let fixture: DriftFixture;

  beforeAll(async () => {
    fixture = new DriftFixture(await ControlPlaneProcess.start());
  }, 60_000);
  afterAll(() => fixture?.dispose(), 30_000);
  beforeEach(() => fixture.startEmulator());
  afterEach(async () => {
    await fixture.clear();
    await fixture.stopEmulator();
  });

  const env = () => ({ LIFTGATE_ENDPOINT: fixture.serve.url, LIFTGATE_API_KEY: fixture.serve.adminKey, BITBUCKET_TOKEN: fixture.emulator.adminToken });
  const drift = (args: string[] = []) => runDrift(parseDriftFlags(args, env()));

  it('reports a clean setup (repository and inherited project webhooks) and exits 0', async () => {
    fixture.emulator.createProject('PLAT');
    fixture.emulator.createRepository('PLAT', 'network');
    fixture.emulator.createProject('DATA');
    fixture.emulator.createRepository('DATA', 'warehouse');
    const integration = await fixture.createIntegration('main');
    await fixture.createWebhook('PLAT', 'network', integration);
    await fixture.createWebhook('DATA', null, integration);
    await fixture.createStack('network', integration, 'PLAT', 'network');
    await fixture.createStack('network-staging', integration, 'PLAT', 'network');
    await fixture.createStack('warehouse', integration, 'DATA', 'warehouse');

    const report = await drift();
    expect(report.errors).toEqual([]);
    expect(report.findings).toEqual([]);
    expect(report.status).toBe('clean');
    // Two stacks on one repository share one listing: the reachability probe and two listings.
    expect(report.summary).toMatchObject({ stacks: 3, repositories: 2, bitbucketRequests: 3 });

    const cli = await runCli(['drift'], { env: env() });
    expect(cli.stderr).toBe('');
    expect(cli.code).toBe(0);
    expect(cli.stdout).toMatch(/^No drift in 2 repositories of 3 stacks \(/m);
  });

  it('names each kind of drift with its stack, repository and webhook, and exits 2', async () => {
    fixture.emulator.createProject('PLAT');
    for (const slug of ['ok', 'nohook', 'moved', 'partial', 'off', 'badsecret', 'unsigned', 'pushed']) {
      fixture.emulator.createRepository('PLAT', slug);
    }
    const integration = await fixture.createIntegration('main');
    await fixture.createWebhook('PLAT', 'ok', integration);
    const moved = await fixture.createWebhook('PLAT', 'moved', integration, {
      url: `https://old-liftgate.example.com/webhooks/bitbucket-datacenter/${integration.id}`,
    });
    await fixture.createWebhook('PLAT', 'partial', integration, { events: ['repo:refs_changed', 'pr:opened'] });
    const off = await fixture.createWebhook('PLAT', 'off', integration, { active: false });
    await fixture.createWebhook('PLAT', 'badsecret', integration, { secret: 'not-the-integration-secret' });
    await fixture.createWebhook('PLAT', 'unsigned', integration, { secret: null });
    await fixture.createWebhook('PLAT', 'pushed', integration, { secret: 'an-old-secret' });
    for (const slug of ['ok', 'nohook', 'moved', 'partial', 'off', 'badsecret', 'unsigned', 'pushed', 'gone']) {
      await fixture.createStack(`stack-${slug}`, integration, 'PLAT', slug);
    }
    // The wrongly signed webhook fires: the control plane refuses the delivery and logs it.
    const push = await fixture.emulator.push('PLAT', 'pushed', { branch: 'main' });
    expect(push.deliveries.map((delivery) => delivery.statusCode)).toEqual([401]);

    const report = await drift();
    expect(report.errors).toEqual([]);
    expect(report.status).toBe('drift');
    const found = byRepository(report.findings);
    expect(found['PLAT/ok']).toBeUndefined();
    expect(found['PLAT/nohook']).toEqual(['missing-webhook']);
    expect(found['PLAT/moved']).toEqual(['wrong-url']);
    expect(found['PLAT/partial']).toEqual(['missing-events']);
    expect(found['PLAT/off']).toEqual(['inactive']);
    expect(found['PLAT/badsecret']).toEqual(['secret-mismatch']);
    expect(found['PLAT/unsigned']).toEqual(['secret-mismatch']);
    expect(found['PLAT/gone']).toEqual(['missing-repository']);
    // The pushed repository's secret is wrong in Bitbucket, and the delivery log shows the refusal on its stack.
    expect(found['PLAT/pushed']).toEqual(['secret-mismatch', 'signature-failures']);
    const signature = report.findings.find((finding) => finding.kind === 'signature-failures');
    expect(signature).toMatchObject({ stack: { name: 'stack-pushed' }, integration: { id: integration.id }, webhook: null });
    expect(signature?.detail).toMatch(/^1 delivery refused for its signature, latest .*X-Hub-Signature does not match/);
    expect(report.findings.filter((f) => f.kind === 'secret-mismatch').map((f) => f.repository?.repositorySlug).sort()).toEqual([
      'badsecret',
      'pushed',
      'unsigned',
    ]);

    const partial = report.findings.find((finding) => finding.kind === 'missing-events');
    expect(partial?.detail).toBe(
      'not subscribed to pr:from_ref_updated, pr:modified, pr:reviewer:approved, pr:reviewer:unapproved, pr:merged, pr:comment:added',
    );
    expect(report.findings.find((f) => f.kind === 'wrong-url')).toMatchObject({
      stack: { name: 'stack-moved' },
      webhook: { id: moved.id, name: 'Liftgate main', scope: 'repository' },
      detail: `delivers to https://old-liftgate.example.com/webhooks/bitbucket-datacenter/${integration.id}, expected ${integration.webhookUrl}`,
    });
    expect(report.findings.find((f) => f.kind === 'inactive')).toMatchObject({ stack: { name: 'stack-off' }, webhook: { id: off.id } });
    // Secrets are compared, never shown.
    expect(JSON.stringify(report)).not.toContain(integration.webhookSecret);
    expect(JSON.stringify(report)).not.toContain('not-the-integration-secret');

    const cli = await runCli(['drift'], { env: env() });
    expect(cli.code).toBe(2);
    expect(cli.stderr).toBe('');
    const lines = cli.stdout.split('\n');
    expect(lines[0]).toMatch(/^STACK\s+PROJECT\/REPO\s+WEBHOOK\s+DRIFT\s+DETAIL$/);
    expect(lines.find((line) => line.startsWith('stack-off-'))).toMatch(/^stack-off-[0-9a-f]{6}\s+PLAT\/off\s+#\d+ Liftgate main\s+inactive\s+the webhook is disabled/);
    expect(lines.find((line) => line.startsWith('stack-nohook-'))).toMatch(/PLAT\/nohook\s+-\s+missing-webhook\s+no webhook/);
    expect(cli.stdout).toMatch(/^Drift: \d+ findings in 9 repositories of 9 stacks/m);
  });

  it('reports signature failures the log ties to a repository on the stacks of that repository', async () => {
    fixture.emulator.createProject('PLAT');
    fixture.emulator.createRepository('PLAT', 'network');
    const integration = await fixture.createIntegration('main');
    await fixture.createWebhook('PLAT', 'network', integration);
    await fixture.createStack('network', integration, 'PLAT', 'network');
    await fixture.createStack('network-staging', integration, 'PLAT', 'network');
    const config = parseDriftFlags([], env());
    const recent = new Date().toISOString();
    const report = await checkDrift({
      liftgate: fixture.liftgate,
      tokens: config.tokens,
      concurrency: config.concurrency,
      since: new Date(Date.now() - 3_600_000),
      // A log whose refusals name their repository (the receiver may record it from the unverified body).
      readDeliveries: async function* () {
        yield [
          { outcome: 'REJECTED', statusCode: 401, reason: 'missing X-Hub-Signature header', receivedAt: recent, repository: { projectKey: 'plat', repositorySlug: 'NETWORK' } },
          { outcome: 'REJECTED', statusCode: 401, reason: 'missing X-Hub-Signature header', receivedAt: recent, repository: { projectKey: 'PLAT', repositorySlug: 'elsewhere' } },
        ];
      },
    });
    expect(report.findings.map((finding) => [finding.kind, finding.stack?.name ?? null, finding.repository?.repositorySlug])).toEqual([
      ['signature-failures', null, 'elsewhere'],
      ['signature-failures', 'network', 'NETWORK'],
      ['signature-failures', 'network-staging', 'NETWORK'],
    ]);
  });

  it('pages the delivery log back to the start of the window and no further', async () => {
    fixture.emulator.createProject('PLAT');
    fixture.emulator.createRepository('PLAT', 'network');
    const integration = await fixture.createIntegration('main');
    await fixture.createWebhook('PLAT', 'network', integration);
    await fixture.createStack('network', integration, 'PLAT', 'network');
    const config = parseDriftFlags([], env());
    const now = Date.now();
    const at = (minutesAgo: number) => new Date(now - minutesAgo * 60_000).toISOString();
    const refused = (minutesAgo: number) => ({
      outcome: 'REJECTED',
      statusCode: 401,
      reason: `refused ${minutesAgo} min ago`,
      receivedAt: at(minutesAgo),
      repository: { projectKey: 'PLAT', repositorySlug: 'network' },
    });
    const pages = [[refused(1), refused(5)], [refused(50), refused(70)], [refused(90)]];
    let requested = 0;
    const report = await checkDrift({
      liftgate: fixture.liftgate,
      tokens: config.tokens,
      concurrency: config.concurrency,
      since: new Date(now - 60 * 60_000),
      readDeliveries: async function* (integrationId) {
        expect(integrationId).toBe(integration.id);
        for (const page of pages) {
          requested += 1;
          yield page;
        }
      },
    });
    // The second page reaches past the hour, so the third is never asked for; the 70-minute-old refusal is outside.
    expect(requested).toBe(2);
    expect(report.findings).toMatchObject([
      { kind: 'signature-failures', stack: { name: 'network' }, detail: expect.stringMatching(/^3 deliveries refused for their signature, latest .*: refused 1 min ago$/) },
    ]);
  });

  it('prints the report as JSON with --json', async () => {
    fixture.emulator.createProject('PLAT');
    fixture.emulator.createRepository('PLAT', 'network');
    const integration = await fixture.createIntegration('main');
    await fixture.createWebhook('PLAT', 'network', integration, { active: false });
    const stack = await fixture.createStack('network', integration, 'PLAT', 'network');

    const cli = await runCli(['drift', '--json'], { env: env() });
    expect(cli.code).toBe(2);
    const report = JSON.parse(cli.stdout);
    expect(Object.keys(report).sort()).toEqual(['checkedAt', 'errors', 'findings', 'since', 'skipped', 'status', 'summary']);
    expect(report.status).toBe('drift');
    expect(report.summary).toMatchObject({ stacks: 1, repositories: 1, findings: 1, skipped: 0, errors: 0, bitbucketRequests: 2, rateLimitedResponses: 0 });
    expect(report.findings).toEqual([
      {
        kind: 'inactive',
        stack: { id: stack.id, name: 'network', spaceId: 'root' },
        integration: { id: integration.id, name: 'main', apiHost: fixture.emulator.url },
        repository: { projectKey: 'PLAT', repositorySlug: 'network' },
        webhook: { id: expect.any(Number), name: 'Liftgate main', url: integration.webhookUrl, scope: 'repository' },
        detail: 'the webhook is disabled, so Bitbucket sends nothing',
      },
    ]);
    expect(Date.parse(report.since)).toBeLessThan(Date.parse(report.checkedAt));
  });

  it('skips stacks on private:// hosts and detached stacks, which are not drift', async () => {
    fixture.emulator.createProject('PLAT');
    fixture.emulator.createRepository('PLAT', 'network');
    const integration = await fixture.createIntegration('main');
    await fixture.createWebhook('PLAT', 'network', integration);
    await fixture.createStack('network', integration, 'PLAT', 'network');
    const agentPool = await fixture.createIntegration('behind-firewall', { apiHost: 'private://pool-1' });
    await fixture.createStack('internal', agentPool, 'SEC', 'vault');
    const doomed = await fixture.createIntegration('doomed');
    await fixture.createStack('orphan', doomed, 'PLAT', 'network');
    await fixture.liftgate.integrations.delete(doomed.id);

    const report = await drift();
    expect(report.status).toBe('clean');
    expect(report.skipped.map((entry) => [entry.stack.name, entry.reason])).toEqual([
      ['internal', 'private://pool-1 is reached through a VCS agent pool, not from here'],
      ['orphan', 'detached: it receives no webhooks until it is attached to an integration'],
    ]);
    const cli = await runCli(['drift'], { env: env() });
    expect(cli.code).toBe(0);
    expect(cli.stdout).toContain('Skipped:');
    expect(cli.stdout).toMatch(/No drift in 1 repository of 3 stacks \(2 skipped/);
  });

  it('uses the default integration for stacks that name none', async () => {
    fixture.emulator.createProject('PLAT');
    fixture.emulator.createRepository('PLAT', 'network');
    const integration = await fixture.createIntegration('company', { isDefault: true });
    await fixture.createStack('network', null, 'PLAT', 'network');
    const report = await drift();
    expect(report.findings).toMatchObject([{ kind: 'missing-webhook', integration: { id: integration.id }, stack: { name: 'network' } }]);
  });

  it('reports a stack whose integration the key cannot administer as an error naming the space (exit 1)', async () => {
    fixture.emulator.createProject('PLAT');
    fixture.emulator.createRepository('PLAT', 'network');
    const team = await fixture.liftgate.spaces.create({ name: 'team' });
    const integration = await fixture.liftgate.integrations.create({
      name: 'team-bitbucket',
      spaceId: team.id,
      apiHost: fixture.emulator.url,
      username: 'admin',
      accessToken: fixture.emulator.adminToken,
    });
    await fixture.liftgate.stacks.create({ name: 'network', spaceId: team.id, vcs: { integrationId: integration.id, projectKey: 'PLAT', repositorySlug: 'network', branch: 'main' } });
    const created = await fetch(`${fixture.serve.url}/api/v1/api-keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${fixture.serve.adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'reader', roles: [{ spaceId: team.id, role: 'write' }] }),
    });
    const { secret } = (await created.json()) as { secret: string };

    const cli = await runCli(['drift'], { env: { ...env(), LIFTGATE_API_KEY: secret } });
    expect(cli.code).toBe(1);
    expect(cli.stdout).toContain(`reading integration "team-bitbucket" (its webhook secret) needs admin on space "${team.id}"`);
    expect(cli.stdout).toMatch(/^Incomplete: 1 check failed/m);
    await fixture.liftgate.stacks.delete((await fixture.liftgate.stacks.list())[0]!.id);
    await fixture.liftgate.integrations.delete(integration.id);
    await fixture.liftgate.spaces.delete(team.id);
  });

  it('reports an unreachable Bitbucket once per stack without listing its repositories (exit 1)', async () => {
    fixture.emulator.createProject('PLAT');
    fixture.emulator.createRepository('PLAT', 'network');
    const integration = await fixture.createIntegration('main');
    await fixture.createStack('network', integration, 'PLAT', 'network');
    await fixture.createStack('network-staging', integration, 'PLAT', 'network');
    const url = fixture.emulator.url;
    await fixture.stopEmulator();

    const report = await drift();
    expect(report.status).toBe('error');
    expect(report.errors.map((failure) => [failure.stack?.name, failure.message])).toEqual([
      ['network', expect.stringMatching(new RegExp(`^Bitbucket at ${url} is unreachable: .*ECONNREFUSED`))],
      ['network-staging', expect.stringMatching(new RegExp(`^Bitbucket at ${url} is unreachable`))],
    ]);
    // Only the reachability probe and its two retries: no repository was requested.
    expect(report.summary.bitbucketRequests).toBe(3);
    await fixture.startEmulator();
  });

  it('fails with one line when the control plane is unreachable', async () => {
    const port = await closedPort();
    const cli = await runCli(['drift'], { env: { ...env(), LIFTGATE_ENDPOINT: `http://127.0.0.1:${port}` } });
    expect(cli.code).toBe(1);
    expect(cli.stdout).toBe('');
    expect(cli.stderr).toBe(`liftgate: cannot reach the control plane at http://127.0.0.1:${port}: ECONNREFUSED\n`);
  });

  it('fails with one line when the API key is refused', async () => {
    const cli = await runCli(['drift', '--api-key', 'lgk_not-a-key', '--json'], { env: env() });
    expect(cli.code).toBe(1);
    expect(cli.stdout).toBe('');
    expect(cli.stderr).toBe(`liftgate: the control plane at ${fixture.serve.url} refused the API key (401): check --api-key or LIFTGATE_API_KEY\n`);
  });

  it('fails with one line naming the host when no Bitbucket token is configured', async () => {
    const integration = await fixture.createIntegration('main');
    await fixture.createStack('network', integration, 'PLAT', 'network');
    const cli = await runCli(['drift'], { env: { ...env(), BITBUCKET_TOKEN: '' } });
    expect(cli.code).toBe(1);
    expect(cli.stderr).toBe(
      `liftgate: no Bitbucket token for ${fixture.emulator.url}: set BITBUCKET_TOKEN or pass --bitbucket-token ${fixture.emulator.url}=TOKEN\n`,
    );
  });

  it('refuses bad options with one line', async () => {
    for (const [args, message] of [
      [['--concurrency', '0'], '--concurrency must be a whole number from 1 to 64, got "0"'],
      [['--since', 'yesterday'], '--since must be a duration such as 30m, 24h or 7d, got "yesterday"'],
      [['--frobnicate'], "Unknown option '--frobnicate'"],
    ] as const) {
      const cli = await runCli(['drift', ...args], { env: env() });
      expect(cli.code).toBe(1);
      expect(cli.stderr.split('\n')).toHaveLength(2);
      expect(cli.stderr).toContain(message);
    }
    const cli = await runCli(['drift'], { env: { ...env(), LIFTGATE_ENDPOINT: '' } });
    expect(cli.stderr).toBe('liftgate: the control plane is not set: pass --endpoint URL or set LIFTGATE_ENDPOINT\n');
  });
});
