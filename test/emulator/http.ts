import type { RunningEmulator } from '../../src/emulator';

/** One answered request: status, headers and the body parsed as JSON when it is JSON (raw text otherwise). */
export interface Exchange {
  status: number;
  headers: Headers;
  body: unknown;
  text: string;
}

export interface RequestOptions {
  /** Bearer token; default the admin token. `null` sends no Authorization header. */
  token?: string | null;
  /** Basic credentials instead of a Bearer token. */
  basic?: { username: string; password: string };
  /** JSON body (serialized) or a raw string. */
  body?: unknown;
  headers?: Record<string, string>;
}

/** Calls the emulator over real HTTP the way a Bitbucket client does (JSON, X-Atlassian-Token on writes). */
export async function call(emulator: RunningEmulator, method: string, path: string, options: RequestOptions = {}): Promise<Exchange> {
  const headers: Record<string, string> = { Accept: 'application/json', 'X-Atlassian-Token': 'no-check' };
  if (options.basic !== undefined) {
    headers.Authorization = `Basic ${Buffer.from(`${options.basic.username}:${options.basic.password}`).toString('base64')}`;
  } else {
    const token = options.token === undefined ? emulator.adminToken : options.token;
    if (token !== null) headers.Authorization = `Bearer ${token}`;
  }
  let body: string | undefined;
  if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  }
  Object.assign(headers, options.headers);
  const response = await fetch(`${emulator.url}${path}`, { method, headers, body, signal: AbortSignal.timeout(15_000) });
  const text = await response.text();
  let parsed: unknown = text;
  if ((response.headers.get('content-type') ?? '').includes('json') && text !== '') parsed = JSON.parse(text);
  return { status: response.status, headers: response.headers, body: text === '' ? undefined : parsed, text };
}
