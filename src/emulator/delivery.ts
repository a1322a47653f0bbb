import { createHmac, randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { EmulatorModel, Invocation, InvocationOutcome, Repository, Webhook } from './model';

/** Bitbucket gives a webhook receiver about 10 seconds to answer. */
export const DEFAULT_DELIVERY_TIMEOUT_MS = 10_000;
/** How much of a receiver's answer is kept for the test endpoint and delivery results. */
const RESPONSE_BODY_KEPT = 16 * 1024;

/** What one HTTP POST to a receiver did. */
export interface DeliveryAttempt {
  requestId: string;
  url: string;
  event: string;
  requestHeaders: Record<string, string>;
  start: number;
  finish: number;
  outcome: InvocationOutcome;
  statusCode: number | null;
  responseHeaders: Record<string, string>;
  responseBody: string;
  /** Why the attempt failed (connection refused, timeout, non-2xx), or "200" style status text on success. */
  description: string;
}

/** The result of one webhook's delivery of one event, as `/_emulator/` calls answer it. */
export interface DeliveryResult {
  webhookId: number;
  webhookName: string;
  scopeType: 'repository' | 'project';
  url: string;
  event: string;
  requestId: string;
  outcome: InvocationOutcome;
  statusCode: number | null;
  description: string;
  durationMs: number;
  signed: boolean;
}

/** `X-Hub-Signature` value: `sha256=` + lowercase hex HMAC-SHA256 of the raw body keyed with the secret. */
export function signatureFor(secret: string, body: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** Bitbucket's payload date: ISO-8601 with a numeric offset without a colon, e.g. 2019-03-21T09:44:17+0000. */
export function bitbucketDate(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, '+0000');
}

export interface PostOptions {
  url: string;
  event: string;
  body: string;
  secret: string | null;
  credentials: { username: string; password: string | null } | null;
  sslVerificationRequired: boolean;
  timeoutMs: number;
}

/** POSTs one delivery the way Bitbucket does; never throws (failures become ERROR/FAILURE attempts). */
export function postDelivery(options: PostOptions): Promise<DeliveryAttempt> {
  const requestId = randomUUID();
  const raw = Buffer.from(options.body, 'utf8');
  const headers: Record<string, string> = {
    'Content-Type': 'application/json; charset=UTF-8',
    'Content-Length': String(raw.length),
    'User-Agent': 'Bitbucket version: 9.4.16, Post webhook plugin (Liftgate emulator)',
    'X-Event-Key': options.event,
    'X-Request-Id': requestId,
  };
  if (options.secret !== null && options.secret !== '') headers['X-Hub-Signature'] = signatureFor(options.secret, raw);
  if (options.credentials !== null) {
    const pair = `${options.credentials.username}:${options.credentials.password ?? ''}`;
    headers.Authorization = `Basic ${Buffer.from(pair).toString('base64')}`;
  }
  const start = Date.now();
  const attempt = (
    outcome: InvocationOutcome,
    statusCode: number | null,
    description: string,
    responseHeaders: Record<string, string> = {},
    responseBody = '',
  ): DeliveryAttempt => ({
    requestId,
    url: options.url,
    event: options.event,
    requestHeaders: redactAuthorization(headers),
    start,
    finish: Date.now(),
    outcome,
    statusCode,
    responseHeaders,
    responseBody,
    description,
  });

  return new Promise((resolve) => {
    let target: URL;
    try {
      target = new URL(options.url);
    } catch {
      resolve(attempt('ERROR', null, `Invalid URL: ${options.url}`));
      return;
    }
    const transport = target.protocol === 'https:' ? https : target.protocol === 'http:' ? http : null;
    if (transport === null) {
      resolve(attempt('ERROR', null, `Unsupported protocol ${target.protocol}`));
      return;
    }
    let settled = false;
    const finish = (result: DeliveryAttempt) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const request = transport.request(target, {
      method: 'POST',
      headers,
      agent: false,
      ...(target.protocol === 'https:' ? { rejectUnauthorized: options.sslVerificationRequired } : {}),
    });
    const timer = setTimeout(() => {
      finish(attempt('ERROR', null, `Timed out after ${options.timeoutMs} ms waiting for the receiver`));
      request.destroy();
    }, options.timeoutMs);
    request.on('error', (error) => finish(attempt('ERROR', null, error.message)));
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      let kept = 0;
      response.on('data', (chunk: Buffer) => {
        if (kept < RESPONSE_BODY_KEPT) {
          chunks.push(chunk);
          kept += chunk.length;
        }
      });
      response.on('error', (error) => finish(attempt('ERROR', null, error.message)));
      response.on('end', () => {
        const status = response.statusCode ?? 0;
        const responseHeaders: Record<string, string> = {};
        for (const [name, value] of Object.entries(response.headers)) {
          if (value !== undefined) responseHeaders[name] = Array.isArray(value) ? value.join(', ') : value;
        }
        const body = Buffer.concat(chunks).subarray(0, RESPONSE_BODY_KEPT).toString('utf8');
        const ok = status >= 200 && status < 300;
        finish(attempt(ok ? 'SUCCESS' : 'FAILURE', status, `${status} ${response.statusMessage ?? ''}`.trim(), responseHeaders, body));
      });
    });
    request.end(raw);
  });
}

/** Recorded request headers must not reveal the receiver's basic-auth password. */
function redactAuthorization(headers: Record<string, string>): Record<string, string> {
  return headers.Authorization === undefined ? { ...headers } : { ...headers, Authorization: 'Basic ********' };
}

/**
 * Sends an event to every active webhook that fires for a repository and subscribes to it (the
 * repository's own webhooks and its project's), records each attempt for `latest`/`statistics`, and
 * resolves once all receivers answered or timed out.
 */
export class WebhookDispatcher {
  constructor(
    private readonly model: EmulatorModel,
    private readonly timeoutMs: () => number,
  ) {}

  async dispatch(repository: Repository, event: string, payload: unknown): Promise<DeliveryResult[]> {
    const body = JSON.stringify(payload);
    const targets = this.model
      .webhooks.firingFor(repository)
      .filter((webhook) => webhook.active && webhook.events.includes(event));
    return Promise.all(targets.map((webhook) => this.deliverTo(webhook, event, body)));
  }

  private async deliverTo(webhook: Webhook, event: string, body: string): Promise<DeliveryResult> {
    const secret = webhook.configuration.secret ?? null;
    const attempt = await postDelivery({
      url: webhook.url,
      event,
      body,
      secret,
      credentials: webhook.credentials,
      sslVerificationRequired: webhook.sslVerificationRequired,
      timeoutMs: this.timeoutMs(),
    });
    const scope = webhook.scope;
    const invocation: Omit<Invocation, 'id'> = {
      webhookId: webhook.id,
      event,
      eventScope:
        scope.type === 'project'
          ? { id: scope.projectKey, type: 'project' }
          : { id: `${scope.projectKey}/${scope.repositorySlug}`, type: 'repository' },
      requestId: attempt.requestId,
      start: attempt.start,
      finish: attempt.finish,
      request: { url: attempt.url, method: 'POST', headers: attempt.requestHeaders },
      result: { outcome: attempt.outcome, statusCode: attempt.statusCode, description: attempt.description },
    };
    // The webhook may have been deleted while its receiver was answering; then there is nothing to record on.
    if (this.model.webhooks.of(scope).some((other) => other.id === webhook.id)) this.model.webhooks.recordInvocation(invocation);
    return {
      webhookId: webhook.id,
      webhookName: webhook.name,
      scopeType: scope.type,
      url: webhook.url,
      event,
      requestId: attempt.requestId,
      outcome: attempt.outcome,
      statusCode: attempt.statusCode,
      description: attempt.description,
      durationMs: attempt.finish - attempt.start,
      signed: secret !== null && secret !== '',
    };
  }
}
