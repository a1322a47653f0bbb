/**
 * Liftgate control-plane REST client: axios for HTTP, zod for every answer, typed errors carrying the
 * control plane's code, message and details (never the API key), and a retry policy per instance.
 */
export { LiftgateClient, SpacesResource, IntegrationsResource, StacksResource, EnvironmentResource, StateResource } from './client';
export type { CallOptions, LiftgateClientOptions, LiftgateRetryOptions } from './client';
export {
  LiftgateApiError,
  LiftgateBadRequestError,
  LiftgateUnauthorizedError,
  LiftgateForbiddenError,
  LiftgateNotFoundError,
  LiftgateConflictError,
  LiftgateUnprocessableError,
  LiftgateRateLimitedError,
  LiftgateServerError,
  LiftgateConnectionError,
  LiftgateResponseParseError,
  LiftgateUnexpectedStatusError,
} from './errors';
export type {
  Delivery,
  EnvironmentVariable,
  EnvironmentVariableInput,
  Integration,
  IntegrationCreateInput,
  IntegrationDeleted,
  IntegrationSummary,
  IntegrationUpdateInput,
  LockInfo,
  Page,
  PageRequest,
  Run,
  Space,
  SpaceCreateInput,
  SpaceUpdateInput,
  Stack,
  StackCreateInput,
  StackUpdateInput,
  StateVersion,
} from './schemas';
