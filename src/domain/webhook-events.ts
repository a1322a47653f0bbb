/**
 * Bitbucket Data Center's webhook events: the ones a webhook may subscribe to, and the ones Liftgate acts on. The
 * emulator accepts exactly the first list, the bitbucketdc provider validates `events` against it, and the
 * control plane, drift and the demo expect an integration's webhooks to carry the second.
 */

/**
 * The event keys Bitbucket Data Center 9.4 accepts in a webhook's `events`. `pr:reviewer:changes_requested` and
 * `pr:to_ref_updated` appear in Atlassian's docs, but a live 9.4 server rejects them as unknown.
 */
export const BITBUCKET_WEBHOOK_EVENTS = [
  'repo:refs_changed',
  'repo:modified',
  'repo:forked',
  'repo:comment:added',
  'repo:comment:edited',
  'repo:comment:deleted',
  'repo:secret_detected',
  'mirror:repo_synchronized',
  'project:modified',
  'pr:opened',
  'pr:from_ref_updated',
  'pr:modified',
  'pr:reviewer:updated',
  'pr:reviewer:approved',
  'pr:reviewer:unapproved',
  'pr:reviewer:needs_work',
  'pr:merged',
  'pr:declined',
  'pr:deleted',
  'pr:comment:added',
  'pr:comment:edited',
  'pr:comment:deleted',
] as const;

export type BitbucketWebhookEvent = (typeof BITBUCKET_WEBHOOK_EVENTS)[number];

export function isBitbucketWebhookEvent(value: string): value is BitbucketWebhookEvent {
  return (BITBUCKET_WEBHOOK_EVENTS as readonly string[]).includes(value);
}

/** What Bitbucket's "Test connection" sends; no webhook can subscribe to it. */
export const PING_EVENT = 'diagnostics:ping';

/** A push: branches or tags created, moved or deleted. */
export const PUSH_EVENT = 'repo:refs_changed';

/** The pull-request events Liftgate acts on (SPEC §1). */
export const PULL_REQUEST_EVENTS = [
  'pr:opened',
  'pr:from_ref_updated',
  'pr:modified',
  'pr:reviewer:approved',
  'pr:reviewer:unapproved',
  'pr:merged',
  'pr:comment:added',
] as const satisfies readonly BitbucketWebhookEvent[];

/**
 * The eight events that can start runs (SPEC §1, in its order): what an integration's webhooks subscribe to. Every
 * other event key is recorded and ignored.
 */
export const HANDLED_EVENTS: readonly BitbucketWebhookEvent[] = [PUSH_EVENT, ...PULL_REQUEST_EVENTS];

export function isHandledEvent(eventKey: string): boolean {
  return (HANDLED_EVENTS as readonly string[]).includes(eventKey);
}
