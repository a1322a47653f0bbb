// The callbacks these tests give page.evaluate run in the browser, with its globals.
/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * One console test file's world: the Bitbucket DC emulator, a real `liftgate serve` (built lib/, embedded store,
 * its root-admin key) and one headless Chromium from Debian's `chromium` package driven by playwright-core. Each
 * test opens pages in fresh browser contexts through `newPage`; `finishTest` closes them and fails the test when a
 * page asked for anything outside the control plane's origin, threw, or broke the Content-Security-Policy.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import { HANDLED_EVENTS } from '../../src/domain/webhook-events';
import { repoRoot } from '../helpers/cli';
import { ControlPlaneProcess } from '../helpers/serve';

/** Debian's chromium; LIFTGATE_CHROMIUM points elsewhere. `.ci/run` installs the package when it is missing. */
export const CHROMIUM_PATH = process.env.LIFTGATE_CHROMIUM ?? '/usr/bin/chromium';

/** Screenshots of every page, kept as test artifacts (git-ignored). */
export const ARTIFACTS = join(repoRoot, 'test', 'console', 'artifacts');

export const DESKTOP = { width: 1280, height: 800 };
export const NARROW = { width: 390, height: 844 };

interface OpenPage {
  context: BrowserContext;
  page: Page;
  /** Requests whose origin is not the control plane's. */
  foreign: string[];
  /** Uncaught errors and CSP or Trusted Types violations. */
  problems: string[];
}

interface Started {
  controlPlane: ControlPlaneProcess;
  emulator: RunningEmulator;
  browser: Browser;
}

export class ConsoleEnvironment {
  readonly #open: OpenPage[] = [];
  #started: Started | null = null;

  /**
   * The environment of the calling test file: started before its tests (with `setUp` then), closed after them,
   * and each test fails when its pages did what they must not (see finishTest). `serveArgs` go to `liftgate serve`
   * (`--workers 0` for a file whose runs must stay QUEUED).
   */
  static forThisFile(setUp: (env: ConsoleEnvironment) => Promise<void> = async () => undefined, options: { serveArgs?: string[] } = {}): ConsoleEnvironment {
    const env = new ConsoleEnvironment();
    beforeAll(async () => {
      await env.#start(options.serveArgs ?? []);
      await setUp(env);
    }, 120_000);
    afterAll(() => env.#close());
    afterEach(async () => {
      expect(await env.finishTest()).toEqual([]);
    });
    return env;
  }

  async #start(serveArgs: string[]): Promise<void> {
    if (!existsSync(CHROMIUM_PATH)) {
      throw new Error(`no Chromium at ${CHROMIUM_PATH}: install Debian's package (apt-get install -y chromium) or set LIFTGATE_CHROMIUM`);
    }
    mkdirSync(ARTIFACTS, { recursive: true });
    const [controlPlane, emulator, browser] = await Promise.all([
      ControlPlaneProcess.start({ args: serveArgs }),
      startEmulator({ port: 0 }),
      chromium.launch({ executablePath: CHROMIUM_PATH, headless: true }),
    ]);
    this.#started = { controlPlane, emulator, browser };
  }

  get #running(): Started {
    if (this.#started === null) throw new Error('the console environment is not started (forThisFile starts it in beforeAll)');
    return this.#started;
  }

  get controlPlane(): ControlPlaneProcess {
    return this.#running.controlPlane;
  }

  get emulator(): RunningEmulator {
    return this.#running.emulator;
  }

  get browser(): Browser {
    return this.#running.browser;
  }

  get url(): string {
    return this.controlPlane.url;
  }

  get adminKey(): string {
    return this.controlPlane.adminKey;
  }

  /** A REST call as the given key (the root admin by default) that must succeed. */
  ok(method: string, path: string, body?: unknown, key?: string): Promise<any> {
    return this.controlPlane.ok(method, path, body, key);
  }

  async createSpace(name: string, options: { parentSpaceId?: string; inheritEntities?: boolean } = {}): Promise<{ id: string; name: string }> {
    return this.ok('POST', '/api/v1/spaces', { name, ...options });
  }

  /** A space-level integration on the emulator, set up through the API. */
  async createIntegration(name: string, spaceId: string, extra: Record<string, unknown> = {}): Promise<any> {
    return this.ok('POST', '/api/v1/integrations/bitbucket-datacenter', {
      name,
      spaceId,
      apiHost: this.emulator.url,
      username: 'admin',
      accessToken: this.emulator.adminToken,
      ...extra,
    });
  }

  /** An API key with one role on one space; answers its secret. */
  async createKey(name: string, spaceId: string, role: 'read' | 'write' | 'admin'): Promise<string> {
    return (await this.ok('POST', '/api/v1/api-keys', { name, roles: [{ spaceId, role }] })).secret;
  }

  /** A project and repository in the emulator with Liftgate's webhook for `integration` on it. */
  async repositoryWithWebhook(projectKey: string, slug: string, integration: { webhookUrl: string; webhookSecret: string }): Promise<void> {
    this.emulator.createProject(projectKey);
    this.emulator.createRepository(projectKey, slug, { slug });
    const response = await fetch(`${this.emulator.url}/rest/api/latest/projects/${projectKey}/repos/${slug}/webhooks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.emulator.adminToken}`, 'content-type': 'application/json', 'x-atlassian-token': 'no-check' },
      body: JSON.stringify({ name: 'liftgate', url: integration.webhookUrl, events: HANDLED_EVENTS, active: true, configuration: { secret: integration.webhookSecret } }),
    });
    if (!response.ok) throw new Error(`creating the webhook answered ${response.status}: ${await response.text()}`);
  }

  /** A page in a fresh browser context (its own sessionStorage), watched for foreign requests and errors. */
  async newPage(viewport = DESKTOP): Promise<Page> {
    // Clipboard access as a user who allowed it, so tests can read what the copy buttons copied.
    const context = await this.browser.newContext({ viewport, baseURL: this.url, permissions: ['clipboard-read', 'clipboard-write'] });
    const page = await context.newPage();
    const open: OpenPage = { context, page, foreign: [], problems: [] };
    const origin = new URL(this.url).origin;
    context.on('request', (request) => {
      const url = request.url();
      if (!url.startsWith('data:') && new URL(url).origin !== origin) open.foreign.push(url);
    });
    page.on('pageerror', (error) => open.problems.push(`uncaught: ${error.message}`));
    page.on('console', (message) => {
      if (/Content Security Policy|Trusted Type/i.test(message.text())) {
        const { url, lineNumber } = message.location();
        open.problems.push(`${message.type()} at ${page.url()} (${url}:${lineNumber}): ${message.text()}`);
      }
    });
    this.#open.push(open);
    return page;
  }

  /** A fresh page signed in with `key` (the root admin by default), showing `path`. */
  async signedIn(path = '/', key = this.adminKey, viewport = DESKTOP): Promise<Page> {
    const page = await this.newPage(viewport);
    await page.goto(path);
    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    return page;
  }

  /** A full-page screenshot kept under test/console/artifacts. */
  async screenshot(page: Page, name: string): Promise<void> {
    await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  }

  /** Closes this test's pages; answers what they did that they must not (requests elsewhere, errors). */
  async finishTest(): Promise<string[]> {
    const found: string[] = [];
    for (const open of this.#open.splice(0)) {
      await open.context.close();
      found.push(...open.foreign.map((url) => `request outside the control plane's origin: ${url}`), ...open.problems);
    }
    return found;
  }

  async #close(): Promise<void> {
    if (this.#started === null) return;
    const { browser, emulator, controlPlane } = this.#started;
    await Promise.allSettled([this.finishTest().then(() => browser.close()), emulator.close(), controlPlane.stop()]);
  }
}

/** Polls `read` until it answers something `accept` takes, or fails after `timeoutMs` with the last answer. */
export async function eventually<T>(read: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await read();
  while (!accept(last)) {
    if (Date.now() > deadline) throw new Error(`still not as expected after ${timeoutMs} ms: ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    last = await read();
  }
  return last;
}
