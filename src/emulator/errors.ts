/** Bitbucket's error body: `{ errors: [{ context, message, exceptionName }] }` (RestErrors in the OpenAPI document). */
export interface BitbucketErrorBody {
  errors: Array<{ context: string | null; message: string; exceptionName: string | null }>;
}

/**
 * A request the emulator refuses the way Bitbucket does. The model throws these; the HTTP layer turns them
 * into Bitbucket's status code and error body, so no handler has to format errors itself.
 */
export class BitbucketApiError extends Error {
  override readonly name = 'BitbucketApiError';

  constructor(
    readonly status: number,
    message: string,
    readonly exceptionName: string | null = null,
    readonly context: string | null = null,
  ) {
    super(message);
  }

  toBody(): BitbucketErrorBody {
    return { errors: [{ context: this.context, message: this.message, exceptionName: this.exceptionName }] };
  }
}

const EXCEPTIONS = {
  authorisation: 'com.atlassian.bitbucket.AuthorisationException',
  authentication: 'com.atlassian.bitbucket.auth.IncorrectPasswordAuthenticationException',
  noSuchProject: 'com.atlassian.bitbucket.project.NoSuchProjectException',
  noSuchRepository: 'com.atlassian.bitbucket.repository.NoSuchRepositoryException',
  noSuchWebhook: 'com.atlassian.webhooks.NoSuchWebhookException',
  noSuchToken: 'com.atlassian.bitbucket.auth.NoSuchAccessTokenException',
  noSuchUser: 'com.atlassian.bitbucket.user.NoSuchUserException',
  noSuchPullRequest: 'com.atlassian.bitbucket.pull.NoSuchPullRequestException',
  validation: 'com.atlassian.bitbucket.validation.ArgumentValidationException',
  webhookValidation: 'com.atlassian.webhooks.WebhookValidationException',
  badRequest: 'com.atlassian.bitbucket.rest.exception.BadRequestException',
  duplicateProject: 'com.atlassian.bitbucket.project.DuplicateProjectException',
  duplicateRepository: 'com.atlassian.bitbucket.repository.DuplicateRepositoryNameException',
  duplicateRef: 'com.atlassian.bitbucket.repository.DuplicateRefException',
  notFound: 'com.sun.jersey.api.NotFoundException',
  noSuchCommit: 'com.atlassian.bitbucket.commit.NoSuchCommitException',
  noSuchPath: 'com.atlassian.bitbucket.content.NoSuchPathException',
  noSuchRef: 'com.atlassian.bitbucket.repository.NoSuchBranchException',
  noDefaultBranch: 'com.atlassian.bitbucket.repository.NoDefaultBranchException',
  noSuchComment: 'com.atlassian.bitbucket.comment.NoSuchCommentException',
  commentOutOfDate: 'com.atlassian.bitbucket.comment.CommentOutOfDateException',
  commentDeletion: 'com.atlassian.bitbucket.comment.CommentDeletionException',
  noSuchBuildStatus: 'com.atlassian.bitbucket.build.status.NoSuchBuildStatusException',
  internal: 'java.lang.IllegalStateException',
} as const;

/** Constructors for the errors Bitbucket DC answers, with its messages and exception names. */
export const errors = {
  notPermitted: () =>
    new BitbucketApiError(401, 'You are not permitted to access this resource', EXCEPTIONS.authorisation),
  badCredentials: () =>
    new BitbucketApiError(
      401,
      'Authentication failed. Please check your credentials and try again.',
      EXCEPTIONS.authentication,
    ),
  tokenCannotManageTokens: () =>
    new BitbucketApiError(
      401,
      'Access tokens cannot be used to create or manage access tokens; authenticate with a password.',
      EXCEPTIONS.authorisation,
    ),
  noSuchProject: (key: string) =>
    new BitbucketApiError(404, `Project ${key} does not exist.`, EXCEPTIONS.noSuchProject),
  noSuchRepository: (key: string, slug: string) =>
    new BitbucketApiError(404, `Repository ${key}/${slug} does not exist.`, EXCEPTIONS.noSuchRepository),
  noSuchWebhook: (id: string) =>
    new BitbucketApiError(404, `No webhook with id ${id} exists.`, EXCEPTIONS.noSuchWebhook),
  noSuchToken: (id: string) =>
    new BitbucketApiError(404, `No access token with id ${id} exists.`, EXCEPTIONS.noSuchToken),
  noSuchUser: (slug: string) =>
    new BitbucketApiError(404, `User ${slug} does not exist.`, EXCEPTIONS.noSuchUser),
  noSuchPullRequest: (id: string) =>
    new BitbucketApiError(404, `Pull request ${id} does not exist.`, EXCEPTIONS.noSuchPullRequest),
  noSuchCommit: (id: string, repository: { slug: string }) =>
    new BitbucketApiError(404, `Commit '${id}' does not exist in repository '${repository.slug}'.`, EXCEPTIONS.noSuchCommit),
  noSuchRef: (ref: string, repository: { slug: string }) =>
    new BitbucketApiError(404, `Repository '${repository.slug}' does not contain a ref '${ref}'.`, EXCEPTIONS.noSuchRef),
  emptyRepository: (repository: { slug: string }) =>
    new BitbucketApiError(404, `Repository '${repository.slug}' is empty: it has no default branch yet.`, EXCEPTIONS.noDefaultBranch),
  noSuchPath: (path: string, at: string) =>
    new BitbucketApiError(404, `The path "${path}" does not exist at revision "${at}"`, EXCEPTIONS.noSuchPath),
  noSuchComment: (id: string) => new BitbucketApiError(404, `Comment ${id} does not exist.`, EXCEPTIONS.noSuchComment),
  commentOutOfDate: (id: number, version: number) =>
    new BitbucketApiError(
      409,
      `You are attempting to modify comment ${id} using version ${version}, but it has been updated since; refresh it and try again.`,
      EXCEPTIONS.commentOutOfDate,
    ),
  commentHasReplies: (id: number) =>
    new BitbucketApiError(409, `Comment ${id} cannot be deleted because it has replies.`, EXCEPTIONS.commentDeletion),
  onlyAuthorEdits: () =>
    new BitbucketApiError(401, 'Only the author of a comment may update its text.', EXCEPTIONS.authorisation),
  noSuchBuildStatus: (key: string, commit: string) =>
    new BitbucketApiError(404, `No build status with key '${key}' exists for commit ${commit}.`, EXCEPTIONS.noSuchBuildStatus),
  invalid: (message: string, context: string | null = null) =>
    new BitbucketApiError(400, message, EXCEPTIONS.validation, context),
  invalidWebhook: (message: string, context: string | null = null) =>
    new BitbucketApiError(400, message, EXCEPTIONS.webhookValidation, context),
  badRequest: (message: string) => new BitbucketApiError(400, message, EXCEPTIONS.badRequest),
  duplicateProject: (message: string, context: string) =>
    new BitbucketApiError(409, message, EXCEPTIONS.duplicateProject, context),
  duplicateRef: (name: string, repository: { slug: string }) =>
    new BitbucketApiError(409, `Tag '${name}' already exists in repository '${repository.slug}'.`, EXCEPTIONS.duplicateRef, 'name'),
  duplicateRepository: (message: string) =>
    new BitbucketApiError(409, message, EXCEPTIONS.duplicateRepository, 'name'),
  projectNotEmpty: (key: string) =>
    new BitbucketApiError(
      409,
      `The project "${key}" cannot be deleted because it has repositories.`,
      'com.atlassian.bitbucket.IntegrityException',
    ),
  conflict: (message: string) =>
    new BitbucketApiError(409, message, 'com.atlassian.bitbucket.pull.PullRequestOutOfDateException'),
  unknownPath: (path: string) =>
    new BitbucketApiError(404, `Could not find a resource at ${path}`, EXCEPTIONS.notFound),
  methodNotAllowed: (method: string, path: string) =>
    new BitbucketApiError(405, `Method ${method} is not allowed for ${path}`, null),
  internal: (message: string) => new BitbucketApiError(500, message, EXCEPTIONS.internal),
};
