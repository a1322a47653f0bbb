/**
 * Bitbucket Data Center REST client: axios for HTTP, zod for every response, typed errors, a retry
 * policy and a concurrency limit per instance, bounded paging. Start with `new BitbucketClient(...)`.
 */
export { BitbucketClient } from './client';
export type { BitbucketClientOptions, BitbucketCredentialCheck, BitbucketCredentialProblem } from './client';
export {
  BitbucketError,
  BitbucketBadRequestError,
  BitbucketUnauthorizedError,
  BitbucketForbiddenError,
  BitbucketNotFoundError,
  BitbucketConflictError,
  BitbucketRateLimitedError,
  BitbucketServerError,
  BitbucketConnectionError,
  BitbucketResponseParseError,
  BitbucketPageLimitError,
  BitbucketUnexpectedStatusError,
} from './errors';
export { PagedList, collect } from './paging';
export type { PagingOptions } from './paging';
export type { BitbucketRetryOptions } from './retry';
export type { BitbucketRequestEvent } from './transport';
export type { ProjectCreateInput, ProjectListOptions } from './projects';
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
