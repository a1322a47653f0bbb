/**
 * Liftgate control-plane REST client on the clients' one transport (../transport.ts): zod for every answer, a
 * retry policy per instance, bounded paging, cancellation. Its errors are the clients' error classes (../errors.ts)
 * with service "Liftgate", carrying the control plane's code, message and details (never the API key);
 * `instanceof LiftgateApiError` tells them apart.
 */
export { LiftgateClient, SpacesResource, IntegrationsResource, StacksResource, EnvironmentResource, StateResource, VcsAgentPoolsResource } from './client';
export { ModulesResource } from './modules';
export type { CallOptions, LiftgateClientOptions, LiftgateRetryOptions } from './client';
export { LiftgateApiError } from './errors';
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
  Run,
  Space,
  SpaceCreateInput,
  SpaceUpdateInput,
  Module,
  ModuleCreateInput,
  ModuleUpdateInput,
  ModuleVersion,
  Stack,
  StackCreateInput,
  StackUpdateInput,
  StateVersion,
  VcsAgentPool,
  VcsAgentPoolCreated,
  VcsAgentPoolCreateInput,
} from './schemas';
