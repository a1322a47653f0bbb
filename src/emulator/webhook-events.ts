/**
 * The webhook event keys Bitbucket DC 9.4 accepts in a webhook's `events`. `pr:reviewer:changes_requested`
 * and `pr:to_ref_updated` appear in Atlassian's docs but a live 9.4 server rejects them as unknown, so the
 * emulator does too. `diagnostics:ping` is sent by the test endpoint but cannot be subscribed to.
 */
export const SUBSCRIBABLE_EVENTS = [
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

export type SubscribableEvent = (typeof SUBSCRIBABLE_EVENTS)[number];

export const PING_EVENT = 'diagnostics:ping';

export function isSubscribableEvent(value: string): value is SubscribableEvent {
  return (SUBSCRIBABLE_EVENTS as readonly string[]).includes(value);
}
