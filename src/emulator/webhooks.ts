import { isBitbucketWebhookEvent } from '../domain/webhook-events';
import { errors } from './errors';
import type { Invocation, Repository, Webhook, WebhookInput, WebhookScope } from './entities';
import { scopeKey, type EmulatorStore } from './store';

/** Bitbucket shows recent invocations only; the emulator keeps this many per webhook. */
const INVOCATIONS_KEPT_PER_WEBHOOK = 50;

/** Webhooks of projects and repositories (a project's fire for each of its repositories), and their invocations. */
export class Webhooks {
  constructor(private readonly store: EmulatorStore) {}

  /** Bitbucket's checks on a webhook body (400 for each problem it reports). */
  private validate(input: WebhookInput): void {
    if (input.name.trim() === '') throw errors.invalidWebhook('A webhook name is required.', 'name');
    let url: URL;
    try {
      url = new URL(input.url);
    } catch {
      throw errors.invalidWebhook(`"${input.url}" is not a valid URL.`, 'url');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw errors.invalidWebhook(`The webhook URL must use http or https, got "${url.protocol}".`, 'url');
    }
    if (input.events.length === 0) {
      throw errors.invalidWebhook('At least one event must be specified for the webhook.', 'events');
    }
    const seen = new Set<string>();
    for (const event of input.events) {
      if (!isBitbucketWebhookEvent(event)) throw errors.invalidWebhook(`the event ${event} is unknown`, 'events');
      if (seen.has(event)) throw errors.invalidWebhook(`The event ${event} is listed more than once.`, 'events');
      seen.add(event);
    }
    if (input.configuration.secret === '') {
      // Observed on Bitbucket DC: an empty-string secret makes the server fail instead of validating.
      throw errors.internal('An error occurred while processing the request: the webhook secret must not be empty.');
    }
  }

  create(scope: WebhookScope, input: WebhookInput): Webhook {
    this.validate(input);
    const now = Date.now();
    const webhook: Webhook = {
      id: this.store.id(),
      scope,
      ...input,
      events: [...input.events],
      configuration: { ...input.configuration },
      createdDate: now,
      updatedDate: now,
    };
    this.store.webhooks.set(webhook.id, webhook);
    const key = scopeKey(scope);
    const list = this.store.webhooksByScope.get(key);
    if (list === undefined) this.store.webhooksByScope.set(key, [webhook]);
    else list.push(webhook);
    this.store.changed();
    return webhook;
  }

  /** Webhooks defined directly on a scope (list endpoints). */
  of(scope: WebhookScope): Webhook[] {
    return this.store.webhooksByScope.get(scopeKey(scope)) ?? [];
  }

  /** Webhooks that fire for a repository: its own and its project's (search endpoint, deliveries). */
  firingFor(repository: Repository): Webhook[] {
    return [
      ...this.of({ type: 'repository', projectKey: repository.projectKey, repositorySlug: repository.slug }),
      ...this.of({ type: 'project', projectKey: repository.projectKey }),
    ];
  }

  get(scope: WebhookScope, id: string): Webhook {
    const numeric = /^\d+$/.test(id) ? Number(id) : NaN;
    const webhook = this.store.webhooks.get(numeric);
    if (webhook === undefined || scopeKey(webhook.scope) !== scopeKey(scope)) {
      throw errors.noSuchWebhook(id);
    }
    return webhook;
  }

  /** PUT semantics: the body replaces the webhook; an omitted password keeps the stored one for the same username. */
  replace(scope: WebhookScope, id: string, input: WebhookInput): Webhook {
    const webhook = this.get(scope, id);
    this.validate(input);
    let credentials = input.credentials;
    if (
      credentials !== null &&
      credentials.password === null &&
      webhook.credentials !== null &&
      webhook.credentials.username === credentials.username
    ) {
      credentials = { username: credentials.username, password: webhook.credentials.password };
    }
    Object.assign(webhook, {
      ...input,
      events: [...input.events],
      configuration: { ...input.configuration },
      credentials,
      updatedDate: Math.max(Date.now(), webhook.updatedDate + 1),
    });
    this.store.changed();
    return webhook;
  }

  delete(scope: WebhookScope, id: string): void {
    const webhook = this.get(scope, id);
    this.store.webhooks.delete(webhook.id);
    this.store.invocationsByWebhook.delete(webhook.id);
    const key = scopeKey(scope);
    const list = (this.store.webhooksByScope.get(key) ?? []).filter((other) => other.id !== webhook.id);
    this.store.webhooksByScope.set(key, list);
    this.store.changed();
  }

  recordInvocation(invocation: Omit<Invocation, 'id'>): Invocation {
    const recorded: Invocation = { id: this.store.id(), ...invocation };
    const list = this.store.invocationsByWebhook.get(invocation.webhookId) ?? [];
    list.push(recorded);
    if (list.length > INVOCATIONS_KEPT_PER_WEBHOOK) list.splice(0, list.length - INVOCATIONS_KEPT_PER_WEBHOOK);
    this.store.invocationsByWebhook.set(invocation.webhookId, list);
    this.store.changed();
    return recorded;
  }

  /** Invocations of a webhook, oldest first. */
  invocationsOf(webhookId: number): Invocation[] {
    return this.store.invocationsByWebhook.get(webhookId) ?? [];
  }
}
