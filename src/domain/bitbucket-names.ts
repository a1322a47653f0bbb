/**
 * The shapes of names Bitbucket Data Center gives things, and of the headers it sends with a webhook delivery.
 * What an unsigned request claims is kept in the delivery log only when it has one of these shapes: the log is
 * read by people and shown in the console, and must not become a place where anyone can store arbitrary text.
 */

/** A project key (`PLAT`), or a personal project (`~jdoe`). */
const PROJECT_KEY = /^(?:[A-Za-z][A-Za-z0-9_]{0,127}|~[A-Za-z0-9_.@-]{1,127})$/;

/** A repository slug (`network-infra`). */
const REPOSITORY_SLUG = /^[A-Za-z0-9._-]{1,128}$/;

/** Why `key` is not a Bitbucket project key, or null when it is one. */
export function projectKeyProblem(key: string): string | null {
  return PROJECT_KEY.test(key) ? null : 'is not a Bitbucket project key (a letter, then letters, digits or "_"; or ~user)';
}

/** Why `slug` is not a Bitbucket repository slug, or null when it is one. */
export function repositorySlugProblem(slug: string): string | null {
  return REPOSITORY_SLUG.test(slug) ? null : 'is not a Bitbucket repository slug (letters, digits, ".", "_" and "-")';
}

/** X-Request-Id is a UUID; the bound keeps the idempotency index's entries small. */
export const MAX_REQUEST_ID_LENGTH = 255;

/** X-Event-Key is `area:event` (`repo:refs_changed`, `pr:reviewer:approved`); none comes close to this. */
export const MAX_EVENT_KEY_LENGTH = 128;

const REQUEST_ID = /^[A-Za-z0-9._:-]+$/;
const EVENT_KEY = /^[A-Za-z0-9_]+(?::[A-Za-z0-9_.-]+)*$/;

/** An unverified header value as the log keeps it: cut to `limit`, and only when it has the expected shape. */
function loggable(value: string | null, limit: number, shape: RegExp): string | null {
  if (value === null) return null;
  const cut = value.slice(0, limit);
  return shape.test(cut) ? cut : null;
}

/** What the delivery log keeps of an unverified X-Request-Id: at most 255 token characters, else nothing. */
export function loggableRequestId(value: string | null): string | null {
  return loggable(value, MAX_REQUEST_ID_LENGTH, REQUEST_ID);
}

/** What the delivery log keeps of an unverified X-Event-Key: at most 128 characters shaped like `area:event`, else nothing. */
export function loggableEventKey(value: string | null): string | null {
  return loggable(value, MAX_EVENT_KEY_LENGTH, EVENT_KEY);
}
