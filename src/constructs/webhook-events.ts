/** The Bitbucket Data Center webhook events Liftgate acts on (SPEC §1, "Handled events"). */
export enum WebhookEvent {
  /** A push: branches or tags created, updated or deleted (`repo:refs_changed`). */
  REPO_REFS_CHANGED = 'repo:refs_changed',
  /** A pull request was opened (`pr:opened`). */
  PR_OPENED = 'pr:opened',
  /** The source branch of a pull request moved (`pr:from_ref_updated`). */
  PR_FROM_REF_UPDATED = 'pr:from_ref_updated',
  /** A pull request's title, description or target changed (`pr:modified`). */
  PR_MODIFIED = 'pr:modified',
  /** A reviewer approved a pull request (`pr:reviewer:approved`). */
  PR_REVIEWER_APPROVED = 'pr:reviewer:approved',
  /** A reviewer withdrew an approval (`pr:reviewer:unapproved`). */
  PR_REVIEWER_UNAPPROVED = 'pr:reviewer:unapproved',
  /** A pull request was merged (`pr:merged`). */
  PR_MERGED = 'pr:merged',
  /** A comment was added to a pull request (`pr:comment:added`). */
  PR_COMMENT_ADDED = 'pr:comment:added',
}

/**
 * Every event Liftgate handles, in the order SPEC §1 lists them: the default of an integration's webhooks. The enum is
 * the constructs' own copy of the domain's list (jsii needs an enum for other languages); a test keeps them equal.
 */
export const allWebhookEvents: WebhookEvent[] = Object.values(WebhookEvent);
