/**
 * Bitbucket Data Center REST client on the clients' one transport (../transport.ts): zod for every response, a
 * retry policy and a concurrency limit per instance, bounded paging, cancellation. Its errors are the clients'
 * error classes (../errors.ts) with service "Bitbucket"; `instanceof BitbucketError` tells them apart.
 * Start with `new BitbucketClient(...)`.
 */
export { BitbucketClient } from './client';
export type {
  BitbucketClientOptions,
  BitbucketCredentialCheck,
  BitbucketCredentialProblem,
  BitbucketRequestEvent,
  BitbucketRetryOptions,
} from './client';
export { BitbucketError } from './errors';
export type { PagedList, PagingOptions } from '../paging';
export type { CallOptions } from './pages';
export type { ProjectCreateInput, ProjectListOptions } from './projects';
export type { ArchiveFormat, ArchiveOptions } from './content';
export type { CommentUpsert, PullRequestListOptions } from './pull-requests';
export type { RunReport } from './build-statuses';
export type {
  BitbucketActivity,
  BitbucketBranch,
  BitbucketBuildStatus,
  BitbucketChange,
  BitbucketComment,
  BitbucketCommit,
  BitbucketPullRequest,
  BuildStatusInput,
} from './content-schemas';
export type { StreamAnswer } from '../transport';
export type { RepositoryCreateInput, RepositorySearchOptions } from './repositories';
export type { WebhookFiringListOptions, WebhookListOptions, WebhookSearchFilter, WebhookTestOptions } from './webhooks';
export { webhookRequestBody } from './webhooks';
export type {
  ApplicationProperties,
  BitbucketAccessToken,
  BitbucketAccessTokenInput,
  BitbucketPage,
  BitbucketProject,
  BitbucketRawAccessToken,
  BitbucketRepository,
  BitbucketWebhook,
  BitbucketWebhookInput,
  BitbucketWebhookTestResult,
  ProjectPermission,
  RepositoryPermission,
} from './schemas';
