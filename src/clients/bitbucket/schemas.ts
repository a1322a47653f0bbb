import { z } from 'zod';

/**
 * Response shapes of the Bitbucket DC 9.4 REST API as the client uses them. Fields Bitbucket may
 * omit are optional; fields every caller relies on (ids, keys, names, webhook events) are required,
 * so a response without them fails loudly with the field's path instead of surfacing later as
 * `undefined`. Objects that a caller may send back (webhook `configuration`) keep unknown keys.
 */

const linkSchema = z.object({ href: z.string(), name: z.string().optional() });

export const applicationPropertiesSchema = z.object({
  version: z.string(),
  buildNumber: z.string().optional(),
  buildDate: z.string().optional(),
  displayName: z.string().optional(),
});
export type ApplicationProperties = z.infer<typeof applicationPropertiesSchema>;

export const projectSchema = z.object({
  id: z.number().int(),
  key: z.string(),
  name: z.string(),
  description: z.string().optional(),
  public: z.boolean().optional(),
  type: z.enum(['NORMAL', 'PERSONAL']).optional(),
  links: z.object({ self: z.array(linkSchema).optional() }).optional(),
});
export type BitbucketProject = z.infer<typeof projectSchema>;

export const repositorySchema = z.object({
  id: z.number().int(),
  slug: z.string(),
  name: z.string(),
  description: z.string().optional(),
  scmId: z.string().optional(),
  state: z.enum(['AVAILABLE', 'INITIALISATION_FAILED', 'INITIALISING', 'OFFLINE']).optional(),
  statusMessage: z.string().optional(),
  forkable: z.boolean().optional(),
  public: z.boolean().optional(),
  archived: z.boolean().optional(),
  hierarchyId: z.string().optional(),
  defaultBranch: z.string().optional(),
  project: projectSchema,
  links: z
    .object({ clone: z.array(linkSchema).optional(), self: z.array(linkSchema).optional() })
    .optional(),
});
export type BitbucketRepository = z.infer<typeof repositorySchema>;

/** Where the shared secret lives; other configuration keys are kept so a PUT can send them back. */
const webhookConfigurationSchema = z.looseObject({ secret: z.string().optional() });

export const webhookSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  url: z.string(),
  events: z.array(z.string()),
  active: z.boolean(),
  configuration: webhookConfigurationSchema.optional(),
  /** Bitbucket returns the username only; the endpoint password is never read back. */
  credentials: z.object({ username: z.string().optional() }).optional(),
  scopeType: z.string().optional(),
  sslVerificationRequired: z.boolean().optional(),
  createdDate: z.number().optional(),
  updatedDate: z.number().optional(),
  statistics: z.unknown().optional(),
});
export type BitbucketWebhook = z.infer<typeof webhookSchema>;

/** What create and update send (PUT replaces the whole webhook, so update takes the same input). */
export interface BitbucketWebhookInput {
  name: string;
  url: string;
  /** Event keys such as `repo:refs_changed`; Bitbucket rejects an empty, repeated or unknown event. */
  events: string[];
  /** @default true (Bitbucket's default) */
  active?: boolean;
  /** `{ secret }` signs deliveries (X-Hub-Signature); omit it, or give no secret, for none. */
  configuration?: { secret?: string; [key: string]: unknown };
  /** Basic credentials Bitbucket sends to the receiving endpoint. */
  credentials?: { username?: string; password?: string };
  /** @default true (Bitbucket's default) */
  sslVerificationRequired?: boolean;
}

/**
 * Answer of `webhooks/test`: the ping Bitbucket sent and either the endpoint's answer (`response`) or
 * why there was none (`exception`). Atlassian documents no properties for it, so all are optional.
 */
export const webhookTestResultSchema = z.looseObject({
  request: z
    .looseObject({
      url: z.string().optional(),
      method: z.string().optional(),
      headers: z.record(z.string(), z.unknown()).optional(),
    })
    .optional(),
  response: z
    .looseObject({
      statusCode: z.number().int().optional(),
      headers: z.record(z.string(), z.unknown()).optional(),
      body: z.unknown().optional(),
    })
    .optional(),
  exception: z.looseObject({ message: z.string().optional() }).optional(),
});
export type BitbucketWebhookTestResult = z.infer<typeof webhookTestResultSchema>;

/** Bitbucket documents createdDate as date-time; servers also answer epoch milliseconds. */
const tokenDateSchema = z.union([z.number(), z.string()]);

export const accessTokenSchema = z.object({
  id: z.string(),
  name: z.string(),
  createdDate: tokenDateSchema.optional(),
  expiryDays: z.number().int().optional(),
  permissions: z.array(z.string()).optional(),
});
export type BitbucketAccessToken = z.infer<typeof accessTokenSchema>;

/** The create answer: the only time Bitbucket shows the raw token. */
export const rawAccessTokenSchema = accessTokenSchema.extend({ token: z.string() });
export type BitbucketRawAccessToken = z.infer<typeof rawAccessTokenSchema>;

export interface BitbucketAccessTokenInput {
  name: string;
  /** e.g. `['REPO_ADMIN', 'PROJECT_READ']`. */
  permissions: string[];
  /** Days until the token expires; omitted means Bitbucket's default for the instance. */
  expiryDays?: number;
}

/** Bitbucket's paged envelope (`start`/`limit`/`isLastPage`/`nextPageStart`). */
export function pageSchema<T extends z.ZodType>(item: T) {
  return z.object({
    size: z.number().int().optional(),
    limit: z.number().int().optional(),
    start: z.number().int().optional(),
    isLastPage: z.boolean(),
    nextPageStart: z.number().int().nullish(),
    values: z.array(item),
  });
}

export interface BitbucketPage<T> {
  values: T[];
  isLastPage: boolean;
  start?: number;
  limit?: number;
  size?: number;
  nextPageStart?: number | null;
}

/** Permissions Bitbucket accepts as a filter on `GET /repos`. */
export type RepositoryPermission = 'REPO_READ' | 'REPO_WRITE' | 'REPO_ADMIN';
/** Permissions Bitbucket accepts as a filter on `GET /projects`. */
export type ProjectPermission = 'PROJECT_VIEW' | 'PROJECT_READ' | 'PROJECT_WRITE' | 'PROJECT_ADMIN';
