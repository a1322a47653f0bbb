/**
 * Shapes of the control plane's answers (SPEC §6), parsed with zod. Unknown extra fields are dropped
 * rather than refused, so a newer control plane that adds fields keeps working with this client.
 */
import { z } from 'zod';

export const spaceSchema = z.object({
  id: z.string(),
  name: z.string(),
  parentSpaceId: z.string().nullable(),
  inheritEntities: z.boolean(),
  description: z.string(),
  labels: z.array(z.string()),
});
export type Space = z.infer<typeof spaceSchema>;

export interface SpaceCreateInput {
  name: string;
  parentSpaceId?: string;
  inheritEntities?: boolean;
  description?: string;
  labels?: string[];
}
export type SpaceUpdateInput = Partial<Omit<SpaceCreateInput, 'parentSpaceId'>>;

export const integrationSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  isDefault: z.boolean(),
  spaceId: z.string(),
  apiHost: z.string(),
  userFacingHost: z.string().nullable(),
  webhookUrl: z.string(),
  labels: z.array(z.string()),
  description: z.string(),
});
export type IntegrationSummary = z.infer<typeof integrationSummarySchema>;

export const integrationSchema = integrationSummarySchema.extend({
  username: z.string(),
  webhookSecret: z.string(),
});
/** An integration as its space's admins see it: with username and webhook secret (never the token). */
export type Integration = z.infer<typeof integrationSchema>;

export interface IntegrationCreateInput {
  name: string;
  isDefault?: boolean;
  spaceId?: string;
  apiHost: string;
  userFacingHost?: string;
  username: string;
  accessToken: string;
  labels?: string[];
  description?: string;
}

export interface IntegrationUpdateInput {
  spaceId?: string;
  apiHost?: string;
  /** null resets it to the default (apiHost when that is https). */
  userFacingHost?: string | null;
  username?: string;
  accessToken?: string;
  labels?: string[];
  description?: string;
}

export const integrationDeletedSchema = z.object({
  id: z.string(),
  detachedStacks: z.array(z.object({ id: z.string(), name: z.string() })),
});
export type IntegrationDeleted = z.infer<typeof integrationDeletedSchema>;

export const stackSchema = z.object({
  id: z.string(),
  name: z.string(),
  spaceId: z.string(),
  vcs: z.object({
    integrationId: z.string().nullable(),
    projectKey: z.string(),
    repositorySlug: z.string(),
    branch: z.string(),
    projectRoot: z.string(),
  }),
  autodeploy: z.boolean(),
  labels: z.array(z.string()),
  detached: z.boolean(),
  /** Whether the control plane holds the stack's Terraform state; a control plane older than that field always did. */
  manageState: z.boolean().default(true),
});
export type Stack = z.infer<typeof stackSchema>;

export interface StackCreateInput {
  name: string;
  spaceId?: string;
  vcs: {
    /** null or absent: the default integration. */
    integrationId?: string | null;
    projectKey: string;
    repositorySlug: string;
    branch: string;
    projectRoot?: string;
  };
  autodeploy?: boolean;
  labels?: string[];
  /** @default true: runs keep their state in the control plane. */
  manageState?: boolean;
}

export interface StackUpdateInput {
  name?: string;
  spaceId?: string;
  /** Setting `integrationId` (null included) attaches a detached stack. */
  vcs?: Partial<StackCreateInput['vcs']>;
  autodeploy?: boolean;
  labels?: string[];
  manageState?: boolean;
}

export const moduleSchema = z.object({
  id: z.string(),
  name: z.string(),
  terraformProvider: z.string(),
  spaceId: z.string(),
  vcs: stackSchema.shape.vcs,
  labels: z.array(z.string()),
  description: z.string(),
  detached: z.boolean(),
});
export type Module = z.infer<typeof moduleSchema>;

export interface ModuleCreateInput {
  /** Immutable; with terraformProvider and the space, the module's registry address. */
  name: string;
  terraformProvider: string;
  spaceId?: string;
  vcs: StackCreateInput['vcs'];
  labels?: string[];
  description?: string;
}

export type ModuleUpdateInput = Partial<Omit<ModuleCreateInput, 'vcs'>> & { vcs?: Partial<StackCreateInput['vcs']> };

export const moduleVersionSchema = z.object({
  moduleId: z.string(),
  version: z.string(),
  tag: z.string(),
  commit: z.string(),
  /** ACTIVE versions are what terraform init sees; FAILED ones say why in `reason`; RETRACTED ones lost their tag. */
  state: z.string(),
  reason: z.string().nullable(),
});
export type ModuleVersion = z.infer<typeof moduleVersionSchema>;
export const environmentVariableSchema = z.object({
  name: z.string(),
  /** null for a secret variable: the control plane never returns its value. */
  value: z.string().nullable(),
  secret: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
/** One of a stack's environment variables, as the control plane shows it. */
export type EnvironmentVariable = z.infer<typeof environmentVariableSchema>;

export interface EnvironmentVariableInput {
  value: string;
  /** @default false */
  secret?: boolean;
}

export const lockInfoSchema = z.object({
  ID: z.string(),
  Operation: z.string(),
  Info: z.string(),
  Who: z.string(),
  Version: z.string(),
  Created: z.string(),
  Path: z.string(),
});
/** Terraform's LockInfo of a state lock, with Who and Created set by the control plane. */
export type LockInfo = z.infer<typeof lockInfoSchema>;

export const stateVersionSchema = z.object({
  serial: z.number().int(),
  lineage: z.string(),
  terraformVersion: z.string().nullable(),
  md5: z.string(),
  sizeBytes: z.number().int(),
  createdBy: z.object({ kind: z.string(), id: z.string() }),
  createdAt: z.string(),
});
/** One version of a stack's Terraform state (every accepted write). */
export type StateVersion = z.infer<typeof stateVersionSchema>;

export const runSchema = z.object({
  id: z.string(),
  stackId: z.string(),
  /** TRACKED plans and applies the tracked branch; PROPOSED only plans. */
  kind: z.string(),
  state: z.string(),
  /** The Bitbucket event key that started the run, or "manual". */
  trigger: z.string(),
  branch: z.string(),
  commit: z.string().nullable(),
  pullRequestId: z.number().int().nullable(),
  deliveryId: z.string().nullable(),
  triggeredBy: z.string().nullable(),
  createdAt: z.string(),
  /** Where the run stands (SPEC §7.1); listings and GET of one run carry these, a webhook answer's new runs do not. */
  history: z.array(z.object({ state: z.string(), at: z.string(), note: z.string().nullable() })).optional(),
  delta: z.object({ add: z.number().int(), change: z.number().int(), destroy: z.number().int() }).nullable().optional(),
  failure: z.string().nullable().optional(),
  note: z.string().nullable().optional(),
  cancelRequested: z.boolean().optional(),
  feedback: z.record(z.string(), z.unknown()).nullable().optional(),
});
export type Run = z.infer<typeof runSchema>;

export const deliverySchema = z.object({
  id: z.string(),
  integrationId: z.string(),
  requestId: z.string().nullable(),
  eventKey: z.string().nullable(),
  repository: z.object({ projectKey: z.string(), repositorySlug: z.string() }).nullable(),
  /** TRIGGERED, IGNORED or REJECTED (answered 4xx, e.g. a bad signature). */
  outcome: z.string(),
  statusCode: z.number().int(),
  reason: z.string(),
  runIds: z.array(z.string()),
  receivedAt: z.string(),
  /** How many deliveries the entry stands for: more than 1 when it counts a flood of refused ones. */
  count: z.number().int().positive().default(1),
  /** When the last of them arrived. */
  lastReceivedAt: z.string().optional(),
});
/** One webhook delivery (or a count of refused ones) the control plane received for an integration. */
export type Delivery = z.infer<typeof deliverySchema>;

export const vcsAgentPoolSchema = z.object({
  id: z.string(),
  name: z.string(),
  spaceId: z.string(),
  description: z.string(),
  lastActivityAt: z.string().nullable(),
  connectedAgents: z.number(),
});
export type VcsAgentPool = z.infer<typeof vcsAgentPoolSchema>;

export const vcsAgentPoolCreatedSchema = vcsAgentPoolSchema.extend({ token: z.string() });
export type VcsAgentPoolCreated = z.infer<typeof vcsAgentPoolCreatedSchema>;

export interface VcsAgentPoolCreateInput {
  name: string;
  spaceId?: string;
  description?: string;
}
