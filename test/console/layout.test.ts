/**
 * Every page of the console at 1280×800 and on a narrow (phone-sized) window: a labelled control for every input,
 * nothing wider than the window, a screenshot kept in test/console/artifacts; and the flows usable from the
 * keyboard alone.
 */
import type { Page } from 'playwright-core';
import { ConsoleEnvironment, DESKTOP, eventually, NARROW } from './harness';

let pages: Array<{ name: string; path: string; heading: string }>;

const env = ConsoleEnvironment.forThisFile(async (started) => {
  const space = await started.createSpace('Platform');
  await started.createSpace('Platform prod', { parentSpaceId: space.id, inheritEntities: true });
  const integration = await started.createIntegration('Platform Bitbucket', space.id, {
    labels: ['eu', 'platform'],
    description: 'The **main** Bitbucket of the platform team.\n\n- webhooks: all repositories of `PLAT`\n- runbook: [wiki](https://wiki.example.com/bitbucket)',
  });
  await started.ok('POST', '/api/v1/integrations/bitbucket-datacenter', {
    name: 'Bitbucket',
    isDefault: true,
    apiHost: started.emulator.url,
    userFacingHost: 'https://bitbucket.example.com',
    username: 'admin',
    accessToken: started.emulator.adminToken,
    description: 'The company Bitbucket: usable by every stack.',
  });
  await started.repositoryWithWebhook('PLAT', 'network', integration);
  const stack = await started.ok('POST', '/api/v1/stacks', {
    name: 'Network',
    spaceId: space.id,
    vcs: { integrationId: integration.id, projectKey: 'PLAT', repositorySlug: 'network', branch: 'main', projectRoot: 'envs/prod' },
    labels: ['prod'],
  });
  await started.emulator.push('PLAT', 'network', { branch: 'main' });
  const run = await started.ok('POST', `/api/v1/stacks/${stack.id}/runs`, {});
  await started.ok('PUT', `/api/v1/stacks/${stack.id}/environment/TF_VAR_region`, { value: 'eu-west-1' });
  await started.ok('PUT', `/api/v1/stacks/${stack.id}/environment/DB_PASSWORD`, { value: 'not shown', secret: true });
  pages = [
    { name: 'source-code', path: '/source-code', heading: 'Source code' },
    { name: 'set-up-integration', path: '/source-code/new', heading: 'Set up integration' },
    { name: 'edit-integration', path: `/source-code/${integration.id}/edit`, heading: 'Edit integration' },
    { name: 'delivery-log', path: `/source-code/${integration.id}/deliveries`, heading: 'Delivery log of Platform Bitbucket' },
    { name: 'stacks', path: '/stacks', heading: 'Stacks' },
    { name: 'create-stack', path: '/stacks/new', heading: 'Create stack' },
    { name: 'stack', path: `/stacks/${stack.id}`, heading: 'Network' },
    { name: 'run', path: `/stacks/${stack.id}/runs/${run.id}`, heading: `Run ${run.id.slice(0, 8)}` },
    { name: 'spaces', path: '/spaces', heading: 'Spaces' },
  ];
});

jest.setTimeout(90_000);

/** Controls without an accessible name: inputs without a label, buttons and links without text, unnamed regions. */
function unlabelledControls(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const named = (element: Element) =>
      (element.getAttribute('aria-label') ?? '').trim() !== '' ||
      (element.getAttribute('aria-labelledby') ?? '').trim() !== '' ||
      ((element as HTMLInputElement).labels?.length ?? 0) > 0;
    const controls = [...document.querySelectorAll('input, select, textarea, button, a[href], [tabindex]:not([tabindex="-1"]), [role="region"]')];
    return controls
      .filter((element) => {
        if (element.matches('input, select, textarea')) return !named(element);
        return !named(element) && (element.textContent ?? '').trim() === '';
      })
      .map((element) => element.outerHTML.slice(0, 120));
  });
}

/** How far the page is wider than the window (0 when it fits). */
function overflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}

async function loaded(page: Page, heading: string): Promise<void> {
  await page.getByRole('heading', { level: 1, name: heading, exact: true }).waitFor();
  await page.waitForLoadState('networkidle');
}

describe('the web console layout', () => {
  for (const [size, viewport] of [
    ['desktop', DESKTOP],
    ['narrow', NARROW],
  ] as const) {
    it(`labels every control and fits a ${viewport.width}×${viewport.height} window on every page`, async () => {
      const signIn = await env.newPage(viewport);
      await signIn.goto('/');
      await signIn.getByRole('heading', { name: 'Sign in to Liftgate' }).waitFor();
      expect(await unlabelledControls(signIn)).toEqual([]);
      expect(await overflow(signIn)).toBeLessThanOrEqual(0);
      await env.screenshot(signIn, `sign-in-${size}`);

      const page = await env.signedIn('/', env.adminKey, viewport);
      for (const { name, path, heading } of pages) {
        await page.goto(path);
        await loaded(page, heading);
        expect({ name, unlabelled: await unlabelledControls(page) }).toEqual({ name, unlabelled: [] });
        expect({ name, overflow: Math.max(0, await overflow(page)) }).toEqual({ name, overflow: 0 });
        await env.screenshot(page, `${name}-${size}`);
      }

      await page.goto('/source-code');
      await page.getByRole('button', { name: 'Actions for Platform Bitbucket' }).click();
      await page.getByRole('menuitem', { name: 'See details' }).click();
      const details = page.getByRole('dialog', { name: 'Details of Platform Bitbucket' });
      await details.getByLabel('Webhook secret').waitFor();
      expect(await unlabelledControls(page)).toEqual([]);
      await env.screenshot(page, `see-details-${size}`);
    });
  }

  it('works from the keyboard alone: sign in, move between sections, open a menu, a dialog and close it', async () => {
    const page = await env.newPage();
    await page.goto('/source-code');
    // The API key field has focus on arrival; Enter submits.
    const keyField = page.getByLabel('API key');
    await keyField.waitFor();
    expect(await keyField.evaluate((element) => element === document.activeElement)).toBe(true);
    await page.keyboard.type(env.adminKey);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Source code' }).waitFor();

    // The skip link comes first, then the brand, then the sections of the main navigation.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    const focusedText = () => page.evaluate(() => document.activeElement?.textContent ?? '');
    for (let step = 0; step < 10 && (await focusedText()) !== 'Stacks'; step += 1) await page.keyboard.press('Tab');
    expect(await focusedText()).toBe('Stacks');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Stacks' }).waitFor();
    // The new page's heading takes focus, so reading starts at its top.
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('H1');

    await page.goto('/source-code');
    const actions = page.getByRole('button', { name: 'Actions for Platform Bitbucket' });
    await actions.focus();
    await page.keyboard.press('Enter');
    const focusedItem = () => page.evaluate(() => (document.activeElement?.getAttribute('role') === 'menuitem' ? document.activeElement.textContent : null));
    await eventually(focusedItem, (item) => item === 'See details');
    await page.keyboard.press('ArrowDown');
    expect(await focusedItem()).toBe('Edit');
    await page.keyboard.press('End');
    expect(await focusedItem()).toBe('Delete');
    await page.keyboard.press('ArrowDown');
    expect(await focusedItem()).toBe('See details');
    await page.keyboard.press('Escape');
    await page.getByRole('menu').waitFor({ state: 'detached' });
    expect(await actions.evaluate((element) => element === document.activeElement)).toBe(true);

    await page.keyboard.press('ArrowDown');
    await eventually(focusedItem, (item) => item === 'See details');
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Details of Platform Bitbucket' });
    await dialog.getByLabel('Webhook URL').waitFor();
    // The page behind the modal dialog is inert: Tab moves through the dialog, and past its end to the browser's own
    // controls (the page's body has focus then), never to the page behind it.
    const where: string[] = [];
    for (let step = 0; step < 10; step += 1) {
      await page.keyboard.press('Tab');
      where.push(await dialog.evaluate((element) => (element.contains(document.activeElement) ? 'dialog' : document.activeElement === document.body ? 'browser' : 'page')));
    }
    expect(where).toContain('dialog');
    expect(where).not.toContain('page');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await actions.evaluate((element) => element === document.activeElement)).toBe(true);
  });
});
