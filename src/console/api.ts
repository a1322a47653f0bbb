import type { z } from 'zod';
import type {
  bitbucketRepository,
  environmentVariable,
  integrationCreate,
  integrationDeleted,
  integrationDetails,
  integrationPatch,
  integrationSummary,
  space,
  stack,
  stackCreate,
  stackPatch,
} from '../server/schemas';
import type { delivery, runDetails } from '../server/webhooks/schemas';

/**
 * The console's only way to the control plane: the public REST API under /api/v1 on the console's own origin,
 * with the tab's API key. Its types are the server's own zod schemas, so a change of the API's shape fails the
 * console's type check. Answers are not parsed again in the browser: the server already serializes every response
 * through those schemas (a response that does not match them is never sent), and zod would be two thirds of the bundle.
 */

export type Integration = z.output<typeof integrationSummary>;
export type IntegrationDetails = z.output<typeof integrationDetails>;
export type IntegrationInput = z.input<typeof integrationCreate>;
export type IntegrationChanges = z.input<typeof integrationPatch>;
export type IntegrationDeleted = z.output<typeof integrationDeleted>;
export type Space = z.output<typeof space>;
export type Stack = z.output<typeof stack>;
export type StackInput = z.input<typeof stackCreate>;
export type StackChanges = z.input<typeof stackPatch>;
export type Run = z.output<typeof runDetails>;
export type Delivery = z.output<typeof delivery>;
export type Repository = z.output<typeof bitbucketRepository>;
export type EnvironmentVariable = z.output<typeof environmentVariable>;

/** One page of a list the API pages with `X-Next-Cursor`. */
export interface Page<T> {
  items: T[];
  /** Pass back as `cursor` for the next (older) page; null on the last one. */
  nextCursor: string | null;
}

/** An answer other than 2xx, with the API's `{ error: { code, message, details } }` taken apart. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown>,
  ) {
    super(message);
  }
}

/** The problems of a rejected form: those the API tied to one of the form's fields, and the rest. */
export interface FormProblems {
  byField: Record<string, string>;
  other: string[];
}

/**
 * Places an error's problems at the form's fields. The API names fields two ways: a 400 lists zod issues with
 * paths such as `body.vcs.projectKey` or `body.labels.0`; a 422 gives `details.field` (`apiHost`). A path goes to
 * the longest of `fields` it starts with.
 */
export function formProblems(error: unknown, fields: readonly string[]): FormProblems {
  if (!(error instanceof ApiError)) return { byField: {}, other: [error instanceof Error ? error.message : String(error)] };
  const byField: Record<string, string> = {};
  const other: string[] = [];
  const place = (path: string, message: string) => {
    const field = fields
      .filter((candidate) => path === candidate || path.startsWith(`${candidate}.`))
      .sort((a, b) => b.length - a.length)[0];
    if (field === undefined) other.push(message);
    else byField[field] = byField[field] === undefined ? message : `${byField[field]}; ${message}`;
  };
  const issues = Array.isArray(error.details.issues) ? error.details.issues.filter(isIssue) : [];
  if (issues.length > 0) {
    for (const issue of issues) place(issue.path.replace(/^body\./, ''), issue.message);
  } else if (typeof error.details.field === 'string') {
    place(error.details.field, error.message);
  } else {
    other.push(error.message);
  }
  return { byField, other };
}

function isIssue(value: unknown): value is { path: string; message: string } {
  const candidate = value as { path?: unknown; message?: unknown } | null;
  return typeof candidate?.path === 'string' && typeof candidate.message === 'string';
}

/** The API's error body, `{ error: { code, message, details? } }`, or null when the body is something else. */
function errorOf(body: unknown): { code: string; message: string; details: Record<string, unknown> } | null {
  const error = (body as { error?: { code?: unknown; message?: unknown; details?: unknown } } | null)?.error;
  if (typeof error?.code !== 'string' || typeof error.message !== 'string') return null;
  const details = typeof error.details === 'object' && error.details !== null ? (error.details as Record<string, unknown>) : {};
  return { code: error.code, message: error.message, details };
}

interface Answer<T> {
  value: T;
  headers: Headers;
}

export class ApiClient {
  constructor(
    private readonly apiKey: string,
    /** Called when the API answers 401: the key was deleted, or never was one. */
    private readonly onUnauthorized: (message: string) => void,
  ) {}

  async #request<T>(method: string, path: string, body?: unknown): Promise<Answer<T>> {
    const headers: Record<string, string> = { accept: 'application/json', authorization: `Bearer ${this.apiKey}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      // The key travels in the header only: no cookies, no cached answers, no following a redirect elsewhere.
      credentials: 'omit',
      cache: 'no-store',
      redirect: 'error',
    });
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      throw new ApiError(response.status, 'not_json', `${method} ${path} answered ${response.status} with a body that is not JSON`, {});
    }
    if (!response.ok) {
      const failure = errorOf(parsed);
      const error =
        failure === null
          ? new ApiError(response.status, 'unexpected', `${method} ${path} answered ${response.status}`, {})
          : new ApiError(response.status, failure.code, failure.message, failure.details);
      if (response.status === 401) this.onUnauthorized(error.message);
      throw error;
    }
    return { value: parsed as T, headers: response.headers };
  }

  async #page<T>(path: string, cursor: string | null): Promise<Page<T>> {
    const query = cursor === null ? '' : `${path.includes('?') ? '&' : '?'}cursor=${encodeURIComponent(cursor)}`;
    const { value, headers } = await this.#request<T[]>('GET', `${path}${query}`);
    return { items: value, nextCursor: headers.get(NEXT_CURSOR_HEADER) };
  }

  async #value<T>(method: string, path: string, body?: unknown): Promise<T> {
    return (await this.#request<T>(method, path, body)).value;
  }

  // --- spaces

  listSpaces(): Promise<Space[]> {
    return this.#value('GET', '/api/v1/spaces');
  }

  // --- integrations

  listIntegrations(): Promise<Integration[]> {
    return this.#value('GET', INTEGRATIONS);
  }

  /** Username and webhook secret too: 403 without admin on the integration's space. */
  integrationDetails(id: string): Promise<IntegrationDetails> {
    return this.#value('GET', `${INTEGRATIONS}/${encodeURIComponent(id)}`);
  }

  createIntegration(input: IntegrationInput): Promise<IntegrationDetails> {
    return this.#value('POST', INTEGRATIONS, input);
  }

  updateIntegration(id: string, changes: IntegrationChanges): Promise<IntegrationDetails> {
    return this.#value('PATCH', `${INTEGRATIONS}/${encodeURIComponent(id)}`, changes);
  }

  deleteIntegration(id: string): Promise<IntegrationDeleted> {
    return this.#value('DELETE', `${INTEGRATIONS}/${encodeURIComponent(id)}`);
  }

  deliveries(id: string, cursor: string | null): Promise<Page<Delivery>> {
    return this.#page(`${INTEGRATIONS}/${encodeURIComponent(id)}/deliveries`, cursor);
  }

  /** The repositories the integration's account sees (SPEC §7.7): 404 to a key that may not use it, 502 when its Bitbucket fails. */
  repositories(id: string, options: { filter: string }, cursor: string | null): Promise<Page<Repository>> {
    const query = options.filter === '' ? '' : `?filter=${encodeURIComponent(options.filter)}`;
    return this.#page(`${INTEGRATIONS}/${encodeURIComponent(id)}/repositories${query}`, cursor);
  }

  // --- stacks and runs

  listStacks(options: { integrationId?: string } = {}): Promise<Stack[]> {
    const query = options.integrationId === undefined ? '' : `?integrationId=${encodeURIComponent(options.integrationId)}`;
    return this.#value('GET', `/api/v1/stacks${query}`);
  }

  stack(id: string): Promise<Stack> {
    return this.#value('GET', `/api/v1/stacks/${encodeURIComponent(id)}`);
  }

  createStack(input: StackInput): Promise<Stack> {
    return this.#value('POST', '/api/v1/stacks', input);
  }

  updateStack(id: string, changes: StackChanges): Promise<Stack> {
    return this.#value('PATCH', `/api/v1/stacks/${encodeURIComponent(id)}`, changes);
  }

  /** The stack's environment variables by name; a secret one's value is null (never returned). */
  environment(stackId: string): Promise<EnvironmentVariable[]> {
    return this.#value('GET', environmentPath(stackId));
  }

  /** Creates or replaces a variable: 422 names a refused name or value in `details.field`. */
  setVariable(stackId: string, name: string, input: { value: string; secret: boolean }): Promise<EnvironmentVariable> {
    return this.#value('PUT', `${environmentPath(stackId)}/${encodeURIComponent(name)}`, input);
  }

  async deleteVariable(stackId: string, name: string): Promise<void> {
    await this.#request('DELETE', `${environmentPath(stackId)}/${encodeURIComponent(name)}`);
  }

  runs(stackId: string, cursor: string | null): Promise<Page<Run>> {
    return this.#page(`/api/v1/stacks/${encodeURIComponent(stackId)}/runs`, cursor);
  }

  /** A TRACKED run of the tracked branch's head; 409 for a detached stack. */
  triggerRun(stackId: string): Promise<Run> {
    return this.#value('POST', `/api/v1/stacks/${encodeURIComponent(stackId)}/runs`, {});
  }

  run(stackId: string, runId: string): Promise<Run> {
    return this.#value('GET', runPath(stackId, runId));
  }

  /** Confirm, discard or cancel; 409 names the run's state when it cannot be done now. */
  runAction(stackId: string, runId: string, action: 'confirm' | 'discard' | 'cancel'): Promise<Run> {
    return this.#value('POST', `${runPath(stackId, runId)}/${action}`, {});
  }

  /** The run's log from byte `offset`: the text, where to ask next, and whether the log is complete. */
  async runLog(stackId: string, runId: string, offset: number): Promise<{ text: string; nextOffset: number; complete: boolean }> {
    const response = await fetch(`${runPath(stackId, runId)}/logs?offset=${offset}`, {
      headers: { authorization: `Bearer ${this.apiKey}` },
      credentials: 'omit',
      cache: 'no-store',
      redirect: 'error',
    });
    if (!response.ok) {
      const failure = errorOf(await response.json().catch(() => null));
      const error = new ApiError(response.status, failure?.code ?? 'unexpected', failure?.message ?? `the run's log answered ${response.status}`, failure?.details ?? {});
      if (response.status === 401) this.onUnauthorized(error.message);
      throw error;
    }
    return {
      text: await response.text(),
      nextOffset: Number(response.headers.get('x-next-offset') ?? offset),
      complete: response.headers.get('x-log-complete') === 'true',
    };
  }
}

const runPath = (stackId: string, runId: string): string => `/api/v1/stacks/${encodeURIComponent(stackId)}/runs/${encodeURIComponent(runId)}`;

const environmentPath = (stackId: string): string => `/api/v1/stacks/${encodeURIComponent(stackId)}/environment`;

const INTEGRATIONS = '/api/v1/integrations/bitbucket-datacenter';

/** The response header that carries the next page's cursor (NEXT_CURSOR_HEADER of the server's schemas). */
const NEXT_CURSOR_HEADER = 'x-next-cursor';
