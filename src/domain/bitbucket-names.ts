/**
 * The shapes of names Bitbucket Data Center gives things, and of the headers it sends with a webhook delivery.
 * What an unsigned request claims is kept in the delivery log only when it has one of these shapes: the log is
 * read by people and shown in the console, and must not become a place where anyone can store arbitrary text.
 */

/**
 * A project key (`PLAT`), or a personal project (`~jdoe`). Bitbucket matches keys in any case; it shows them in
 * one (canonicalProjectKey).
 */
const PROJECT_KEY = /^(?:[A-Za-z][A-Za-z0-9_]{0,127}|~[A-Za-z0-9_.@-]{1,127})$/;

/** A repository slug (`network-infra`); Bitbucket matches slugs in any case and shows them in lower case. */
const REPOSITORY_SLUG = /^[A-Za-z0-9._-]{1,128}$/;

/** What a project key looks like, in words. */
export const PROJECT_KEY_RULE =
  'a Bitbucket project key: a letter followed by letters, digits or underscores (at most 128 characters), or ~username for a personal project';
export const CANONICAL_PROJECT_KEY_RULE =
  'a Bitbucket project key as Bitbucket shows it: an upper-case letter followed by upper-case letters, digits or underscores (at most 128 characters), or ~username for a personal project';
export const REPOSITORY_SLUG_RULE = 'a Bitbucket repository slug: letters, digits, "-", "_" or "." (at most 128 characters)';
export const CANONICAL_REPOSITORY_SLUG_RULE =
  'a repository slug as it appears in the repository URL: lower-case letters, digits, "-", "_" or "." (at most 128 characters)';

/** A project key as Bitbucket shows it: upper case, and a personal project's `~username` in lower case. */
export function canonicalProjectKey(key: string): string {
  return key.startsWith('~') ? key.toLowerCase() : key.toUpperCase();
}

/** A repository slug as Bitbucket shows it: lower case. */
export function canonicalRepositorySlug(slug: string): string {
  return slug.toLowerCase();
}

/** One key for a repository, equal for every spelling Bitbucket treats as the same repository. */
export function repositoryKey(projectKey: string, repositorySlug: string): string {
  return `${canonicalProjectKey(projectKey)}/${canonicalRepositorySlug(repositorySlug)}`;
}

/** Why `key` is not a Bitbucket project key in any case, or null when it is one. */
export function projectKeyProblem(key: string): string | null {
  return PROJECT_KEY.test(key) ? null : `must be ${PROJECT_KEY_RULE}`;
}

/**
 * Why `key` is not a project key spelt as Bitbucket shows it, or null. Where a key is compared with what Bitbucket
 * answers (a webhook's state, its construct), another spelling would show as a change on every plan.
 */
export function canonicalProjectKeyProblem(key: string): string | null {
  return PROJECT_KEY.test(key) && key === canonicalProjectKey(key)
    ? null
    : `must be ${CANONICAL_PROJECT_KEY_RULE}`;
}

/** Why `slug` is not a Bitbucket repository slug in any case, or null when it is one. */
export function repositorySlugProblem(slug: string): string | null {
  return REPOSITORY_SLUG.test(slug) ? null : `must be ${REPOSITORY_SLUG_RULE}`;
}

/** Why `slug` is not a repository slug spelt as Bitbucket shows it (as in the repository's URL), or null. */
export function canonicalRepositorySlugProblem(slug: string): string | null {
  return REPOSITORY_SLUG.test(slug) && slug === canonicalRepositorySlug(slug)
    ? null
    : `must be ${CANONICAL_REPOSITORY_SLUG_RULE}`;
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
