/**
 * What the console must never do, checked in Chromium: run anything a description carries, make HTML from text
 * outside its sanitiser, or ask for anything outside the control plane's origin (every console test also fails
 * on such a request: see ConsoleEnvironment.finishTest).
 */
import { ConsoleEnvironment } from './harness';

const env = ConsoleEnvironment.forThisFile();

jest.setTimeout(60_000);

const HOSTILE = [
  '# Notes',
  '<script>window.__pwned = "script"</script>',
  '<img src="http://127.0.0.2:9/pixel.png" onerror="window.__pwned = \'onerror\'">',
  '<svg onload="window.__pwned = \'svg\'"><circle r="1"/></svg>',
  '<iframe src="javascript:parent.__pwned=\'iframe\'"></iframe>',
  "[click me](javascript:window.__pwned='link')",
  '<a href="JaVaScRiPt:window.__pwned=\'html link\'">html link</a>',
  '<a href="data:text/html,<script>alert(1)</script>">data link</a>',
  '<p style="position:fixed;inset:0" onclick="window.__pwned=\'click\'">overlay</p>',
  '![tracking pixel](http://127.0.0.2:9/track.png)',
  '<form action="http://127.0.0.2:9/steal"><button>Send</button></form>',
  '<details open ontoggle="window.__pwned=\'toggle\'"><summary>more</summary></details>',
  '[safe](https://bitbucket.example.com/projects/PLAT)',
].join('\n\n');

describe('the web console and hostile input', () => {
  it('shows a hostile markdown description inert: no script, no handler, no javascript: or data: link, no request', async () => {
    const space = await env.createSpace('Hostile');
    await env.createIntegration('Hostile Bitbucket', space.id, { description: HOSTILE });
    const page = await env.signedIn('/source-code');
    const description = page.getByRole('group', { name: 'Description of Hostile Bitbucket' });
    await description.getByRole('heading', { level: 3, name: 'Notes' }).waitFor();

    const audit = await description.evaluate((root) => {
      const elements = [...root.querySelectorAll('*')];
      return {
        tags: [...new Set(elements.map((element) => element.tagName.toLowerCase()))].sort(),
        attributes: elements.flatMap((element) => [...element.attributes].map((attribute) => attribute.name)).filter((name) => name !== 'href' && name !== 'rel'),
        hrefs: [...root.querySelectorAll('a')].map((anchor) => anchor.getAttribute('href')),
      };
    });
    for (const forbidden of ['script', 'img', 'svg', 'iframe', 'form', 'button', 'details', 'style']) expect(audit.tags).not.toContain(forbidden);
    expect(audit.attributes).toEqual([]);
    // The image became a link to it (nothing is fetched); only http(s) links keep their target.
    expect(audit.hrefs.filter((href) => href !== null)).toEqual(['http://127.0.0.2:9/track.png', 'https://bitbucket.example.com/projects/PLAT']);

    // Raw HTML is shown as the text it is, as Bitbucket shows it.
    await description.getByText('<script>window.__pwned = "script"</script>').waitFor();
    await description.getByText('html link', { exact: false }).first().click();
    await description.getByText('overlay', { exact: false }).first().click();
    await description.getByText('click me', { exact: true }).click();
    expect(await page.evaluate(() => (window as unknown as { __pwned?: string }).__pwned)).toBeUndefined();
    expect(page.url()).toBe(`${env.url}/source-code`);
    await env.screenshot(page, 'hostile-description');

    // The same description in the edit form's preview is just as inert.
    await page.getByRole('button', { name: 'Actions for Hostile Bitbucket' }).click();
    await page.getByRole('menuitem', { name: 'Edit' }).click();
    await page.getByRole('button', { name: 'Preview description' }).click();
    const preview = page.getByRole('group', { name: 'Description preview' });
    await preview.getByRole('heading', { name: 'Notes' }).waitFor();
    expect(await preview.locator('script, img, svg, iframe, form, [onerror], [onload], [onclick]').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: string }).__pwned)).toBeUndefined();
  });

  it('refuses HTML made from a string outside the sanitiser (Trusted Types, required by its CSP)', async () => {
    const page = await env.signedIn('/source-code');
    const outcome = await page.evaluate(() => {
      try {
        document.body.insertAdjacentHTML('beforeend', '<b>injected</b>');
        return 'written';
      } catch (error) {
        return (error as Error).name;
      }
    });
    expect(outcome).toBe('TypeError');
    const response = await page.request.get('/source-code');
    expect(response.headers()['content-security-policy']).toContain("require-trusted-types-for 'script'");
    // That refusal is itself a CSP report; this test provoked it on purpose.
    await page.context().close();
    await env.finishTest();
  });

  it('asks only its own origin for its script, stylesheet, icon and API calls, on every page', async () => {
    const space = await env.createSpace('Origin');
    const integration = await env.createIntegration('Origin Bitbucket', space.id);
    const stack = await env.ok('POST', '/api/v1/stacks', {
      name: 'Origin stack',
      spaceId: space.id,
      vcs: { integrationId: integration.id, projectKey: 'ORI', repositorySlug: 'gin', branch: 'main' },
    });
    const page = await env.newPage();
    const seen: string[] = [];
    page.on('request', (request) => seen.push(request.url()));
    await page.goto('/');
    await page.getByLabel('API key').fill(env.adminKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    for (const path of ['/source-code', '/source-code/new', '/stacks', '/stacks/new', `/stacks/${stack.id}`, '/spaces', `/source-code/${integration.id}/deliveries`]) {
      await page.goto(path);
      // Every request the page makes, its API calls included, has been answered.
      await page.waitForLoadState('networkidle');
    }
    const origin = new URL(env.url).origin;
    expect(seen.filter((url) => new URL(url).origin !== origin)).toEqual([]);
    const paths = seen.map((url) => new URL(url).pathname);
    expect(paths).toEqual(expect.arrayContaining(['/api/v1/spaces', '/api/v1/integrations/bitbucket-datacenter', `/api/v1/stacks/${stack.id}/runs`]));
    expect(paths.some((path) => /^\/assets\/main-\w+\.js$/.test(path))).toBe(true);
    expect(paths.some((path) => /^\/assets\/main-\w+\.css$/.test(path))).toBe(true);
  });
});
