/**
 * The console's repository picker, run page and environment variables, end to end in Chromium against a real
 * `liftgate serve` (its embedded worker runs real terraform) and the Bitbucket DC emulator: a stack created by picking
 * its repository, a push of Terraform code watched to FINISHED with its log, an autodeploy-off run confirmed from the
 * page its build status links to, and secret variables that are never shown.
 */
import type { Page } from 'playwright-core';
import { startEmulator } from '../../src/emulator';
import { ConsoleEnvironment, eventually } from './harness';

const env = ConsoleEnvironment.forThisFile();

jest.setTimeout(180_000);

/** Terraform with built-ins only: a resource whose provisioner prints `marker`, and an output. */
const terraform = (marker: string) => ({
  'main.tf': [
    'resource "terraform_data" "marker" {',
    `  input = "${marker}"`,
    '  provisioner "local-exec" {',
    `    command = "echo provisioned ${marker}"`,
    '  }',
    '}',
    'output "marker" {',
    '  value = terraform_data.marker.output',
    '}',
    '',
  ].join('\n'),
});

/** A push through the emulator's endpoint (SPEC §7.7); answers the new commit. */
async function push(projectKey: string, slug: string, files: Record<string, string>): Promise<string> {
  const response = await fetch(`${env.emulator.url}/_emulator/projects/${projectKey}/repos/${slug}/push`, {
    method: 'POST',
    headers: { authorization: `Bearer ${env.emulator.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ branch: 'main', files, message: 'Terraform' }),
  });
  const body: any = await response.json();
  if (!response.ok) throw new Error(`the push answered ${response.status}: ${JSON.stringify(body)}`);
  return body.commit;
}

async function runOfCommit(stackId: string, commit: string): Promise<any> {
  const runs = await eventually(
    () => env.ok('GET', `/api/v1/stacks/${stackId}/runs`),
    (found: any[]) => found.some((run) => run.commit === commit),
    30_000,
  );
  return runs.find((run: any) => run.commit === commit);
}

/** The run page's state, as its State fact shows it. */
function shownState(page: Page) {
  return page.locator('dt:text-is("State") + dd');
}

async function waitForState(page: Page, state: string, timeoutMs = 120_000): Promise<void> {
  await shownState(page).getByText(state, { exact: true }).waitFor({ timeout: timeoutMs });
}

describe('runs, repositories and environment variables in the console', () => {
  it('creates a stack picking its repository, then follows a pushed commit\'s run to FINISHED with its log', async () => {
    const space = await env.createSpace('Infrastructure');
    const integration = await env.createIntegration('Infra Bitbucket', space.id);
    await env.repositoryWithWebhook('INFRA', 'network', integration);
    for (const slug of ['dns', 'monitoring']) env.emulator.createRepository('INFRA', slug, { slug });

    const page = await env.signedIn('/stacks/new');
    await page.getByLabel('Space', { exact: true }).selectOption(space.id);
    const picker = page.getByLabel('Repository', { exact: true });
    await eventually(() => picker.locator('option').allTextContents(), (texts) => texts.length === 4);
    await page.getByLabel('Search repositories').fill('netw');
    expect(await eventually(() => picker.locator('option').allTextContents(), (texts) => texts.length === 2)).toEqual(['Choose a repository', 'network (INFRA/network)']);
    await picker.selectOption({ label: 'network (INFRA/network)' });
    expect(await page.getByLabel('Project key').inputValue()).toBe('INFRA');
    expect(await page.getByLabel('Repository slug').inputValue()).toBe('network');
    await page.getByLabel('Name', { exact: true }).fill('Network');
    await page.getByLabel('Autodeploy').check();
    await env.screenshot(page, 'create-stack-picker');
    await page.getByRole('button', { name: 'Create stack' }).click();
    await page.getByRole('heading', { level: 1, name: 'Network' }).waitFor();
    const [stack] = (await env.ok('GET', '/api/v1/stacks')).filter((candidate: any) => candidate.name === 'Network');
    expect(stack).toMatchObject({ spaceId: space.id, vcs: { integrationId: integration.id, projectKey: 'INFRA', repositorySlug: 'network', branch: 'main' }, autodeploy: true });

    const commit = await push('INFRA', 'network', terraform('network-1'));
    const run = await runOfCommit(stack.id, commit);
    await page.reload();
    const logRequests: string[] = [];
    page.on('request', (request) => {
      if (request.url().includes('/logs?offset=')) logRequests.push(request.url());
    });
    await page.getByRole('region', { name: 'Runs' }).getByRole('link', { name: run.id.slice(0, 8) }).click();
    await page.getByRole('heading', { level: 1, name: `Run ${run.id.slice(0, 8)}` }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/stacks/${stack.id}/runs/${run.id}`);
    await waitForState(page, 'FINISHED');
    await page.getByText('The log is complete.').waitFor();
    const log = page.getByLabel('Run log');
    expect(await log.textContent()).toContain('provisioned network-1');
    expect(await log.textContent()).toContain('Apply complete!');
    await page.getByText('+1 ~0 -0').waitFor();
    expect(await page.getByRole('button', { name: 'Cancel run' }).count()).toBe(0);
    // Tailed by offset while it ran (each request from where the last ended), and not asked for once complete.
    expect(logRequests.length).toBeGreaterThan(0);
    expect(logRequests[0]).toContain('offset=0');
    const asked = logRequests.length;
    await page.waitForTimeout(2_500);
    expect(logRequests.length).toBe(asked);
    await env.screenshot(page, 'run-finished');
  });

  it('opens the page a build status links to, refuses Confirm to a reader with the API\'s reason, and confirms an UNCONFIRMED run to FINISHED', async () => {
    const space = await env.createSpace('Edge');
    const integration = await env.createIntegration('Edge Bitbucket', space.id);
    await env.repositoryWithWebhook('EDGE', 'cdn', integration);
    const stack = await env.ok('POST', '/api/v1/stacks', {
      name: 'CDN',
      spaceId: space.id,
      vcs: { integrationId: integration.id, projectKey: 'EDGE', repositorySlug: 'cdn', branch: 'main' },
      autodeploy: false,
    });
    const commit = await push('EDGE', 'cdn', terraform('cdn-1'));
    const run = await runOfCommit(stack.id, commit);
    const builds = `${env.emulator.url}/rest/api/latest/projects/EDGE/repos/cdn/commits/${commit}/builds?key=${encodeURIComponent(`liftgate/${stack.id}/tracked`)}`;
    const status = await eventually(
      async () => (await fetch(builds, { headers: { authorization: `Bearer ${env.emulator.adminToken}` } })).json(),
      (body: any) => body.state === 'INPROGRESS',
      120_000,
    );
    const link: string = status.url;
    expect(link).toBe(`${env.url}/stacks/${stack.id}/runs/${run.id}`);

    const readerKey = await env.createKey('edge reader', space.id, 'read');
    const reader = await env.signedIn(link, readerKey);
    await waitForState(reader, 'UNCONFIRMED');
    await reader.getByRole('button', { name: 'Confirm' }).click();
    const refusal = reader.getByRole('alert');
    await refusal.waitFor();
    expect(await refusal.textContent()).toContain('write');
    await waitForState(reader, 'UNCONFIRMED');

    const page = await env.signedIn(link);
    await waitForState(page, 'UNCONFIRMED');
    await page.getByText('+1 ~0 -0').waitFor();
    await page.getByRole('button', { name: 'Discard' }).waitFor();
    await page.getByRole('button', { name: 'Cancel run' }).waitFor();
    await env.screenshot(page, 'run-unconfirmed');
    await page.getByRole('button', { name: 'Confirm' }).click();
    await waitForState(page, 'FINISHED');
    await page.getByText('The log is complete.').waitFor();
    expect(await page.getByLabel('Run log').textContent()).toContain('provisioned cdn-1');
    expect(await page.getByRole('button', { name: 'Confirm' }).count()).toBe(0);
    const history = await page.locator('dt:text-is("History") + dd li').allTextContents();
    expect(history.map((entry) => entry.split(' ')[0])).toEqual(expect.arrayContaining(['UNCONFIRMED', 'CONFIRMED', 'APPLYING', 'FINISHED']));

    // The next commit's run waits for a confirmation too, and Cancel ends it.
    const next = await runOfCommit(stack.id, await push('EDGE', 'cdn', terraform('cdn-2')));
    await page.goto(`/stacks/${stack.id}/runs/${next.id}`);
    await waitForState(page, 'UNCONFIRMED');
    // The stack page, open meanwhile in another tab, follows the run's state without a reload.
    const stackPage = await env.signedIn(`/stacks/${stack.id}`);
    const row = stackPage.getByRole('region', { name: 'Runs' }).getByRole('row').filter({ has: stackPage.getByRole('link', { name: next.id.slice(0, 8) }) });
    await row.getByText('UNCONFIRMED').waitFor();
    await page.getByRole('button', { name: 'Cancel run' }).click();
    await waitForState(page, 'CANCELED');
    await row.getByText('CANCELED').waitFor();
    await page.getByText('The log is complete.').waitFor();
    expect(await page.getByRole('button', { name: 'Cancel run' }).count()).toBe(0);
    expect((await env.ok('GET', `/api/v1/stacks/${stack.id}/runs/${next.id}`)).state).toBe('CANCELED');
  });

  it('shows an unlistable Bitbucket at the picker and still takes a repository typed by hand', async () => {
    const gone = await startEmulator({ port: 0 });
    const space = await env.createSpace('Legacy');
    await env.ok('POST', '/api/v1/integrations/bitbucket-datacenter', {
      name: 'Legacy Bitbucket',
      spaceId: space.id,
      apiHost: gone.url,
      username: 'admin',
      accessToken: gone.adminToken,
    });
    await gone.close();

    const page = await env.signedIn('/stacks/new');
    await page.getByLabel('Space', { exact: true }).selectOption(space.id);
    const picker = page.getByLabel('Repository', { exact: true });
    await eventually(() => picker.getAttribute('aria-invalid'), (invalid) => invalid === 'true', 30_000);
    const why = await picker.evaluate((element) => document.getElementById(`${element.id}-error`)?.textContent ?? '');
    expect(why).toContain('the Bitbucket of integration "Legacy Bitbucket" cannot be reached');
    expect(why).toContain('Type the project key and repository slug below instead');
    await env.screenshot(page, 'create-stack-unlistable');

    await page.getByLabel('Name', { exact: true }).fill('Legacy');
    await page.getByLabel('Project key').fill('OLD');
    await page.getByLabel('Repository slug').fill('mainframe');
    await page.getByRole('button', { name: 'Create stack' }).click();
    await page.getByRole('heading', { level: 1, name: 'Legacy' }).waitFor();
  });

  it('sets, replaces and deletes environment variables, never showing a secret value', async () => {
    const space = await env.createSpace('Data');
    const integration = await env.createIntegration('Data Bitbucket', space.id);
    const stack = await env.ok('POST', '/api/v1/stacks', {
      name: 'Warehouse',
      spaceId: space.id,
      vcs: { integrationId: integration.id, projectKey: 'DATA', repositorySlug: 'warehouse', branch: 'main' },
    });
    const page = await env.signedIn(`/stacks/${stack.id}`);
    const section = page.getByRole('region', { name: 'Environment variables' }).first();
    await page.getByRole('heading', { level: 2, name: 'Environment variables' }).waitFor();

    // A name the runs keep for themselves is refused at its field.
    await page.getByLabel('Variable name').fill('PATH');
    await page.getByLabel('Value', { exact: true }).fill('/tmp');
    await page.getByRole('button', { name: 'Add variable' }).click();
    await page.getByRole('alert').filter({ hasText: 'The variable was not saved' }).waitFor();
    expect(await page.getByLabel('Variable name').getAttribute('aria-invalid')).toBe('true');

    await page.getByLabel('Variable name').fill('REGION');
    await page.getByLabel('Value', { exact: true }).fill('eu-west-1');
    await page.getByRole('button', { name: 'Add variable' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved REGION.' }).waitFor();

    await page.getByLabel('Variable name').fill('DB_PASSWORD');
    await page.getByLabel('Secret', { exact: true }).check();
    const value = page.getByLabel('Value', { exact: true });
    expect(await value.getAttribute('type')).toBe('password');
    await value.fill('first-secret-value');
    await page.getByRole('button', { name: 'Add variable' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved DB_PASSWORD (secret' }).waitFor();
    const row = (name: string) => section.getByRole('row').filter({ hasText: name });
    await row('DB_PASSWORD').getByText('secret: write-only').waitFor();
    await row('REGION').getByText('eu-west-1').waitFor();
    expect(await page.locator('body').innerText()).not.toContain('first-secret-value');
    expect(await page.evaluate(() => [...document.querySelectorAll('input')].map((input) => input.value))).not.toContain('first-secret-value');

    await page.getByRole('button', { name: 'Replace DB_PASSWORD' }).click();
    const newValue = page.getByLabel('New value');
    expect(await newValue.inputValue()).toBe('');
    await newValue.fill('second-secret-value');
    await page.getByRole('button', { name: 'Replace', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Saved DB_PASSWORD (secret' }).waitFor();
    await page.reload();
    await row('DB_PASSWORD').getByText('secret: write-only').waitFor();
    expect(await page.content()).not.toContain('second-secret-value');
    await env.screenshot(page, 'environment');

    await page.getByRole('button', { name: 'Delete REGION' }).click();
    await page.getByRole('dialog', { name: 'Delete REGION?' }).getByRole('button', { name: 'Delete variable' }).click();
    await page.getByRole('status').filter({ hasText: 'Deleted REGION.' }).waitFor();
    expect(await env.ok('GET', `/api/v1/stacks/${stack.id}/environment`)).toEqual([
      expect.objectContaining({ name: 'DB_PASSWORD', value: null, secret: true }),
    ]);
  });

  it("opens a run's page from the stack's runs: its state, failure, history and the log the worker wrote", async () => {
    const space = await env.createSpace('Payments');
    await env.createIntegration('Payments Bitbucket', space.id);
    const stack = await env.ok('POST', '/api/v1/stacks', {
      name: 'Ledger API',
      spaceId: space.id,
      vcs: { integrationId: 'payments-bitbucket', projectKey: 'PAY', repositorySlug: 'ledger-api', branch: 'main' },
    });
    // The commit is not in Bitbucket: serve's worker claims the run and fails it, saying so.
    const run = await env.ok('POST', `/api/v1/stacks/${stack.id}/runs`, { commit: 'd'.repeat(40) });
    const page = await env.signedIn(`/stacks/${stack.id}`);
    await page.getByRole('region', { name: 'Runs' }).getByRole('link', { name: run.id.slice(0, 8) }).click();
    await page.getByRole('heading', { level: 1, name: `Run ${run.id.slice(0, 8)}` }).waitFor();
    const log = page.getByLabel('Run log');
    await log.filter({ hasText: 'Failed: the code could not be fetched from Bitbucket' }).waitFor();
    await page.getByText(`PAY/ledger-api at ${'d'.repeat(40)} was not found in Bitbucket`).first().waitFor();
    for (const state of ['QUEUED', 'PREPARING', 'FAILED']) await page.getByRole('listitem').filter({ hasText: state }).first().waitFor();
    expect(await page.getByRole('button', { name: 'Cancel run' }).count()).toBe(0);
    await page.getByRole('link', { name: 'Back to the stack' }).click();
    await page.getByRole('heading', { level: 1, name: 'Ledger API' }).waitFor();
  });
});
