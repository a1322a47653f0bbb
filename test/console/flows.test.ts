/**
 * The seed's flows in the web console, end to end in Chromium against a real `liftgate serve` and the Bitbucket
 * DC emulator: sign-in, setting up an integration, See details as an admin and as a reader, creating a stack,
 * deleting the integration it uses and re-attaching it, its runs, the delivery log and the spaces tree.
 */
import type { Locator, Page } from 'playwright-core';
import { ConsoleEnvironment, eventually } from './harness';

// No worker: the runs these tests list stay QUEUED (test/console/runs.test.ts has them run).
const env = ConsoleEnvironment.forThisFile(undefined, { serveArgs: ['--workers', '0'] });

jest.setTimeout(60_000);

/** The text of the elements that describe a control (its hint and its error). */
function description(control: Locator): Promise<string> {
  return control.evaluate((element) =>
    (element.getAttribute('aria-describedby') ?? '')
      .split(' ')
      .map((id) => document.getElementById(id)?.textContent ?? '')
      .join(' '),
  );
}

function hasFocus(control: Locator): Promise<boolean> {
  return control.evaluate((element) => element === document.activeElement);
}

/** The card of an integration on the Source code page. */
function integrationCard(page: Page, name: string): Locator {
  return page.getByRole('listitem').filter({ has: page.getByRole('heading', { name, exact: true }) });
}

async function openIntegrationMenu(page: Page, name: string, item: string): Promise<void> {
  await page.getByRole('button', { name: `Actions for ${name}` }).click();
  await page.getByRole('menuitem', { name: item }).click();
}

/** The row of a stack in the Stacks table. */
function stackRow(page: Page, name: string): Locator {
  return page.getByRole('row').filter({ has: page.getByRole('link', { name, exact: true }) });
}

describe('the web console', () => {
  it('signs in with an API key kept for this tab only, opens the page whose address was asked for, and signs out', async () => {
    const page = await env.newPage();
    await page.goto('/stacks');
    await page.getByRole('heading', { name: 'Sign in to Liftgate' }).waitFor();
    await page.getByLabel('API key').fill('lgk_not-a-key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('The control plane does not accept this API key').waitFor();
    expect(await page.getByLabel('API key').getAttribute('aria-invalid')).toBe('true');

    await page.getByLabel('API key').fill(env.adminKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Stacks' }).waitFor();
    expect(await page.evaluate(() => Object.keys(window.sessionStorage))).toEqual(['liftgate.apiKey']);
    expect(await page.evaluate(() => window.localStorage.length)).toBe(0);
    expect(await page.context().cookies()).toEqual([]);

    // A reload keeps the tab signed in; another tab of the same browser is not.
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Stacks' }).waitFor();
    const otherTab = await page.context().newPage();
    await otherTab.goto('/stacks');
    await otherTab.getByRole('heading', { name: 'Sign in to Liftgate' }).waitFor();

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to Liftgate' }).waitFor();
    await page.getByText('The API key is forgotten by this tab').waitFor();
    expect(await page.evaluate(() => window.sessionStorage.length)).toBe(0);
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in to Liftgate' }).waitFor();
  });

  it('sets up a space-level integration: the API refuses the API host at its field, then takes the corrected form', async () => {
    const space = await env.createSpace('Platform');
    const page = await env.signedIn('/source-code');
    await page.getByRole('link', { name: 'Set up integration' }).click();
    await page.getByRole('heading', { level: 1, name: 'Set up integration' }).waitFor();

    await page.getByLabel('Name', { exact: true }).fill('Platform Bitbucket');
    await page.getByRole('radio', { name: 'Space-level' }).check();
    await page.getByLabel('Space', { exact: true }).selectOption(space.id);
    const apiHost = page.getByLabel('API host');
    await apiHost.fill('ftp://bitbucket.example.com');
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Access token').fill(env.emulator.adminToken);
    await page.getByLabel('Labels').fill('eu, platform');
    await page.getByLabel('Description').fill('**Main** Bitbucket. See [the runbook](https://wiki.example.com/runbook).');
    await page.getByRole('button', { name: 'Set up integration' }).click();

    await page.getByRole('alert').filter({ hasText: 'The integration was not set up' }).waitFor();
    expect(await apiHost.getAttribute('aria-invalid')).toBe('true');
    expect(await description(apiHost)).toContain('apiHost must use https://');
    expect(await hasFocus(apiHost)).toBe(true);
    expect(await page.getByLabel('Name', { exact: true }).getAttribute('aria-invalid')).toBe('false');
    await env.screenshot(page, 'set-up-integration-error');

    await apiHost.fill(env.emulator.url);
    await page.getByRole('button', { name: 'Set up integration' }).click();
    await page.getByRole('status').filter({ hasText: 'Integration “Platform Bitbucket” is set up' }).waitFor();
    await page.getByRole('heading', { level: 1, name: 'Source code' }).waitFor();

    const card = integrationCard(page, 'Platform Bitbucket');
    await card.getByText('Space-level').waitFor();
    await card.getByText(space.id).waitFor();
    await card.getByRole('link', { name: env.emulator.url }).waitFor();
    expect(await card.getByRole('listitem').allTextContents()).toEqual(['eu', 'platform']);
    const description_ = card.getByRole('group', { name: 'Description of Platform Bitbucket' });
    expect(await description_.locator('strong').textContent()).toBe('Main');
    expect(await description_.getByRole('link', { name: 'the runbook' }).getAttribute('href')).toBe('https://wiki.example.com/runbook');

    const stored = await env.ok('GET', '/api/v1/integrations/bitbucket-datacenter/platform-bitbucket');
    expect(stored).toMatchObject({ name: 'Platform Bitbucket', isDefault: false, spaceId: space.id, apiHost: env.emulator.url, labels: ['eu', 'platform'] });
  });

  it('See details shows the webhook URL and secret to an admin, with copy buttons, and tells a reader which role on which space is missing', async () => {
    const space = await env.createSpace('Payments');
    const integration = await env.createIntegration('Payments Bitbucket', space.id);

    const admin = await env.signedIn('/source-code');
    await openIntegrationMenu(admin, 'Payments Bitbucket', 'See details');
    const dialog = admin.getByRole('dialog', { name: 'Details of Payments Bitbucket' });
    expect(await dialog.getByLabel('Webhook URL').inputValue()).toBe(integration.webhookUrl);
    expect(await dialog.getByLabel('Webhook secret').inputValue()).toBe(integration.webhookSecret);
    await dialog.getByRole('button', { name: 'Copy webhook secret' }).click();
    await dialog.getByText('Copied the webhook secret.').waitFor();
    expect(await admin.evaluate(() => navigator.clipboard.readText())).toBe(integration.webhookSecret);
    await dialog.getByRole('button', { name: 'Copy webhook URL' }).click();
    await dialog.getByText('Copied the webhook URL.').waitFor();
    expect(await admin.evaluate(() => navigator.clipboard.readText())).toBe(integration.webhookUrl);
    await env.screenshot(admin, 'see-details-admin');
    await admin.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await hasFocus(admin.getByRole('button', { name: 'Actions for Payments Bitbucket' }))).toBe(true);

    const readerKey = await env.createKey('payments reader', space.id, 'read');
    const reader = await env.signedIn('/source-code', readerKey);
    await integrationCard(reader, 'Payments Bitbucket').waitFor();
    await openIntegrationMenu(reader, 'Payments Bitbucket', 'See details');
    const refused = reader.getByRole('dialog', { name: 'Details of Payments Bitbucket' });
    const why = refused.getByRole('alert');
    await why.waitFor();
    expect(await why.textContent()).toBe(
      `To see the webhook URL, secret and username of this integration, an API key needs the admin role on space Payments (${space.id}). ` +
        'The API key “payments reader” does not have it.',
    );
    expect(await refused.getByLabel('Webhook secret').count()).toBe(0);
    const shown = await reader.locator('body').innerText();
    expect(shown).not.toContain(integration.webhookSecret);
    expect(shown).not.toContain(integration.webhookUrl);
    await env.screenshot(reader, 'see-details-reader');
  });

  it('creates a stack with an integration usable in its space, after the API refuses an empty branch at its field', async () => {
    const platform = await env.createSpace('Network team');
    const child = await env.createSpace('Network prod', { parentSpaceId: platform.id, inheritEntities: true });
    const elsewhere = await env.createSpace('Data team');
    await env.createIntegration('Network Bitbucket', platform.id);
    await env.createIntegration('Data Bitbucket', elsewhere.id);

    const page = await env.signedIn('/stacks');
    await page.getByRole('link', { name: 'Create stack' }).click();
    await page.getByRole('heading', { level: 1, name: 'Create stack' }).waitFor();
    const space = page.getByLabel('Space', { exact: true });
    const integration = page.getByLabel('Integration', { exact: true });
    await space.selectOption(elsewhere.id);
    expect(await eventually(() => integration.locator('option').allTextContents(), (texts) => texts.join() === 'Data Bitbucket')).toEqual(['Data Bitbucket']);
    // A child that inherits entities may use its parent's integration.
    await space.selectOption(child.id);
    expect(await eventually(() => integration.locator('option').allTextContents(), (texts) => texts.join() === 'Network Bitbucket')).toEqual(['Network Bitbucket']);

    await page.getByLabel('Name', { exact: true }).fill('Network');
    await page.getByLabel('Project key').fill('NET');
    await page.getByLabel('Repository slug').fill('network');
    const branch = page.getByLabel('Branch');
    await branch.fill('');
    await page.getByLabel('Project root').fill('envs/prod');
    await page.getByLabel('Autodeploy').check();
    await page.getByLabel('Labels').fill('prod');
    await page.getByRole('button', { name: 'Create stack' }).click();
    await page.getByRole('alert').filter({ hasText: 'The stack was not created' }).waitFor();
    expect(await branch.getAttribute('aria-invalid')).toBe('true');
    expect(await hasFocus(branch)).toBe(true);

    await branch.fill('main');
    await page.getByRole('button', { name: 'Create stack' }).click();
    await page.getByRole('status').filter({ hasText: 'Stack “Network” created.' }).waitFor();
    await page.getByRole('heading', { level: 1, name: 'Network' }).waitFor();
    await page.getByText('Network team › Network prod').waitFor();

    const [stack] = (await env.ok('GET', '/api/v1/stacks')).filter((candidate: any) => candidate.name === 'Network');
    expect(stack).toMatchObject({
      spaceId: child.id,
      vcs: { integrationId: 'network-bitbucket', projectKey: 'NET', repositorySlug: 'network', branch: 'main', projectRoot: 'envs/prod' },
      autodeploy: true,
      labels: ['prod'],
      detached: false,
    });
    await page.getByRole('link', { name: 'Stacks', exact: true }).click();
    await stackRow(page, 'Network').getByText('Attached').waitFor();
  });

  it('places the API\'s refusal of a key without the write role on the chosen space at the space field', async () => {
    const space = await env.createSpace('Read only');
    await env.createIntegration('Read only Bitbucket', space.id);
    const key = await env.createKey('read only', space.id, 'read');
    const page = await env.signedIn('/stacks/new', key);
    await page.getByRole('heading', { level: 1, name: 'Create stack' }).waitFor();
    const spaceField = page.getByLabel('Space', { exact: true });
    // The options arrive with the spaces the key may write to; wait for them rather than read an empty list.
    const options = await eventually(() => spaceField.locator('option').allTextContents(), (texts) => texts.length > 0);
    expect(options).toEqual(['Read only']);
    await page.getByLabel('Name', { exact: true }).fill('Not mine');
    await page.getByLabel('Project key').fill('RO');
    await page.getByLabel('Repository slug').fill('repo');
    await page.getByRole('button', { name: 'Create stack' }).click();
    await page.getByRole('alert').filter({ hasText: 'The stack was not created' }).waitFor();
    expect(await spaceField.getAttribute('aria-invalid')).toBe('true');
    expect(await description(spaceField)).toContain(`needs the write role on space "${space.id}"`);
    expect(await hasFocus(spaceField)).toBe(true);
  });

  it('deletes an integration after a confirmation that names the stacks it detaches, which then show as detached', async () => {
    const space = await env.createSpace('Billing');
    await env.createIntegration('Billing Bitbucket', space.id);
    const stackBody = { spaceId: space.id, vcs: { integrationId: 'billing-bitbucket', projectKey: 'BIL', repositorySlug: 'ledger', branch: 'main' } };
    await env.ok('POST', '/api/v1/stacks', { name: 'Ledger', ...stackBody });
    await env.ok('POST', '/api/v1/stacks', { name: 'Invoices', ...stackBody });

    const page = await env.signedIn('/source-code');
    await openIntegrationMenu(page, 'Billing Bitbucket', 'Delete');
    const dialog = page.getByRole('dialog', { name: 'Delete integration “Billing Bitbucket”?' });
    const named = dialog.getByRole('list', { name: 'Stacks that will be detached' });
    await named.waitFor();
    expect((await named.getByRole('listitem').allTextContents()).map((text) => text.split(' ')[0]).sort()).toEqual(['Invoices', 'Ledger']);
    await env.screenshot(page, 'delete-integration');
    await dialog.getByRole('button', { name: 'Delete integration' }).click();
    await page.getByRole('status').filter({ hasText: 'Deleted integration “Billing Bitbucket”. Detached stacks:' }).waitFor();
    await integrationCard(page, 'Billing Bitbucket').waitFor({ state: 'detached' });

    await page.getByRole('link', { name: 'Stacks', exact: true }).click();
    for (const name of ['Ledger', 'Invoices']) await stackRow(page, name).getByText('Detached').waitFor();
    await stackRow(page, 'Ledger').getByRole('link', { name: 'Ledger' }).click();
    await page.getByRole('heading', { level: 1, name: 'Ledger' }).waitFor();
    await page.getByText('it gets no webhooks and refuses runs until it is re-attached').waitFor();
    await page.getByRole('button', { name: 'Trigger run' }).click();
    await page.getByRole('alert').filter({ hasText: 'cannot run' }).waitFor();
  });

  it('re-attaches a detached stack to an integration usable in its space', async () => {
    const space = await env.createSpace('Search');
    await env.createIntegration('Search Bitbucket', space.id);
    await env.ok('POST', '/api/v1/stacks', {
      name: 'Indexer',
      spaceId: space.id,
      vcs: { integrationId: 'search-bitbucket', projectKey: 'SRCH', repositorySlug: 'indexer', branch: 'main' },
    });
    await env.ok('DELETE', '/api/v1/integrations/bitbucket-datacenter/search-bitbucket');
    await env.createIntegration('Search Bitbucket v2', space.id);

    const page = await env.signedIn('/stacks');
    const row = stackRow(page, 'Indexer');
    await row.getByText('Detached').waitFor();
    await env.screenshot(page, 'stacks');
    await row.getByRole('button', { name: 'Re-attach Indexer' }).click();
    const dialog = page.getByRole('dialog', { name: 'Re-attach “Indexer”' });
    await dialog.getByLabel('Integration').selectOption({ label: 'Search Bitbucket v2' });
    await dialog.getByRole('button', { name: 'Re-attach' }).click();
    await page.getByRole('status').filter({ hasText: 'Re-attached “Indexer”.' }).waitFor();
    await row.getByText('Attached').waitFor();
    expect(await row.getByText('Detached').count()).toBe(0);
    const [stack] = (await env.ok('GET', '/api/v1/stacks')).filter((candidate: any) => candidate.name === 'Indexer');
    expect(stack).toMatchObject({ detached: false, vcs: { integrationId: 'search-bitbucket-v2' } });
  });

  it("lists a stack's runs with their commit and pull request linked to the integration's user-facing host, and the delivery log", async () => {
    const space = await env.createSpace('Apps');
    const integration = await env.createIntegration('Apps Bitbucket', space.id);
    await env.repositoryWithWebhook('APP', 'web', integration);
    const stack = await env.ok('POST', '/api/v1/stacks', {
      name: 'Web',
      spaceId: space.id,
      vcs: { integrationId: integration.id, projectKey: 'APP', repositorySlug: 'web', branch: 'main' },
    });
    const pushed = await env.emulator.push('APP', 'web', { branch: 'main' });
    await env.emulator.push('APP', 'web', { branch: 'feature' });
    const pullRequest = await env.emulator.openPullRequest('APP', 'web', { fromBranch: 'feature', toBranch: 'main', title: 'Feature' });
    await env.emulator.pullRequestEvent('APP', 'web', pullRequest.pullRequest.id, 'comment', { text: '/liftgate plan' });
    await eventually(() => env.ok('GET', `/api/v1/stacks/${stack.id}/runs`), (runs: any[]) => runs.length >= 3);

    const page = await env.signedIn(`/stacks/${stack.id}`);
    await page.getByRole('heading', { level: 1, name: 'Web' }).waitFor();
    const runs = page.getByRole('region', { name: 'Runs' });
    const repository = `${env.emulator.url}/projects/APP/repos/web`;
    // Inner locators of `filter({ has })` are relative to the row, so they start from the page.
    const commitLink = page.getByRole('link', { name: pushed.change.toHash.slice(0, 12) });
    expect(await commitLink.getAttribute('href')).toBe(`${repository}/commits/${pushed.change.toHash}`);
    const tracked = runs.getByRole('row').filter({ has: commitLink });
    expect(await tracked.getByRole('cell').nth(0).textContent()).toBe('TRACKED');
    // serve's worker may already be executing it: any state of SPEC §7.1 is shown as a badge.
    await tracked.getByText(/^(QUEUED|PREPARING|INITIALIZING|PLANNING|APPLYING|FINISHED|FAILED)$/).waitFor();
    // The "/liftgate plan" comment's run, and the feature push's run if the pull request was linked to it.
    const pullRequestLinks = page.getByRole('link', { name: `#${pullRequest.pullRequest.id}` });
    await pullRequestLinks.first().waitFor();
    for (const link of await pullRequestLinks.all()) {
      expect(await link.getAttribute('href')).toBe(`${repository}/pull-requests/${pullRequest.pullRequest.id}/overview`);
    }
    const withPullRequest = runs.getByRole('row').filter({ has: pullRequestLinks });
    expect(new Set(await withPullRequest.locator('td:first-of-type').allTextContents())).toEqual(new Set(['PROPOSED']));

    await page.getByRole('button', { name: 'Trigger run' }).click();
    await page.getByRole('status').filter({ hasText: 'queued' }).waitFor();
    await runs.getByRole('row').filter({ hasText: 'manual' }).getByText('branch head').waitFor();
    await env.screenshot(page, 'stack');

    await page.getByRole('link', { name: 'Source code' }).click();
    await openIntegrationMenu(page, 'Apps Bitbucket', 'Delivery log');
    await page.getByRole('heading', { level: 1, name: 'Delivery log of Apps Bitbucket' }).waitFor();
    const deliveries = page.getByRole('region', { name: 'Deliveries' });
    // The log arrives in one answer: once one row is there, all are.
    await deliveries.getByRole('row').filter({ hasText: 'pr:comment:added' }).getByText('TRIGGERED').waitFor();
    expect(await deliveries.getByRole('row').filter({ hasText: 'repo:refs_changed' }).count()).toBe(2);
    await env.screenshot(page, 'delivery-log');
  });

  it('shows the spaces tree the key can read, with what each space holds', async () => {
    const parent = await env.createSpace('Tree parent');
    const child = await env.createSpace('Tree child', { parentSpaceId: parent.id, inheritEntities: true });
    await env.createIntegration('Tree Bitbucket', parent.id);

    const page = await env.signedIn('/spaces');
    const tree = page.getByRole('list', { name: 'Space tree' });
    const parentItem = tree.getByRole('listitem').filter({ hasText: parent.id }).last();
    await parentItem.getByText('1 integration').first().waitFor();
    const nested = parentItem.getByRole('list').getByRole('listitem').filter({ hasText: child.id });
    await nested.getByText('Inherits entities').waitFor();
    await env.screenshot(page, 'spaces');

    // A key bound below root sees its own subtree, from its space down.
    const childKey = await env.createKey('tree child reader', child.id, 'read');
    const limited = await env.signedIn('/spaces', childKey);
    const top = limited.getByRole('list', { name: 'Space tree' });
    await top.getByText('Tree child', { exact: true }).waitFor();
    expect(await top.getByText('root', { exact: true }).count()).toBe(0);
  });
});
