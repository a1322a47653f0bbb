/**
 * What the repository and project webhook resources share: the webhook attributes, validators, the
 * mapping between Bitbucket's webhook and Terraform state, and the create that adopts a webhook an
 * earlier, interrupted apply already made. Each resource supplies its scope (where the webhook lives).
 */
import { type BitbucketWebhook, type BitbucketWebhookInput } from '../../clients/bitbucket';

// The error classes alone (no HTTP or schema libraries): provider starts that only serve the schema
// or validate configuration never load the client.
import {
  attributePath,
  boolAttribute,
  eachElement,
  errorDiagnostic,
  isUrl,
  lengthBetween,
  numberAttribute,
  satisfies,
  oneOf,
  setAttribute,
  sizeBetween,
  stringAttribute,
  warningDiagnostic,
  type Diagnostic,
} from '../../plugin';
import {
  CANONICAL_PROJECT_KEY_RULE,
  CANONICAL_REPOSITORY_SLUG_RULE,
  canonicalProjectKeyProblem,
  canonicalRepositorySlugProblem,
} from '../../domain/bitbucket-names';
import { BITBUCKET_WEBHOOK_EVENTS } from '../../domain/webhook-events';
import { bitbucketErrorDiagnostic, type BitbucketOperation } from './bitbucket-diagnostics';
import { ApiNotFoundError } from '../../clients/errors';

/** Keys and slugs as Bitbucket shows them: state holds what Bitbucket answers, so another spelling would never settle. */
export const projectKeyValidator = satisfies(CANONICAL_PROJECT_KEY_RULE, canonicalProjectKeyProblem);
export const repositorySlugValidator = satisfies(CANONICAL_REPOSITORY_SLUG_RULE, canonicalRepositorySlugProblem);

/** The attributes of a webhook itself, the same at repository and project scope. */
export function webhookAttributes(scope: 'repository' | 'project') {
  return {
    name: stringAttribute({
      required: true,
      description: `The webhook's name as shown in Bitbucket's ${scope} settings. Together with \`url\` it identifies the webhook when an interrupted create is retried.`,
      validators: [lengthBetween(1, 255)],
    }),
    url: stringAttribute({
      required: true,
      description: 'The http(s) URL Bitbucket posts events to.',
      validators: [isUrl(['http', 'https'])],
    }),
    events: setAttribute('string', {
      required: true,
      description: `The Bitbucket event keys that trigger the webhook, e.g. \`repo:refs_changed\`, \`pr:opened\`. One of: ${BITBUCKET_WEBHOOK_EVENTS.join(', ')}.`,
      validators: [sizeBetween(1), eachElement(oneOf(BITBUCKET_WEBHOOK_EVENTS))],
    }),
    secret: stringAttribute({
      optional: true,
      sensitive: true,
      description: 'Shared secret Bitbucket signs each delivery with (`X-Hub-Signature`, HMAC-SHA256). Bitbucket returns it on every read, so a secret changed in Bitbucket shows as drift. Leave it out for unsigned deliveries.',
      validators: [lengthBetween(1, 255)],
    }),
    active: boolAttribute({
      optional: true,
      default: true,
      description: 'Whether Bitbucket delivers events to the webhook. Defaults to true.',
    }),
    ssl_verification_required: boolAttribute({
      optional: true,
      default: true,
      description: 'Whether Bitbucket verifies the TLS certificate of an https `url`. Defaults to true (Bitbucket\'s default).',
    }),
    webhook_id: numberAttribute({
      computed: true,
      description: 'The id Bitbucket assigned to the webhook.',
    }),
  };
}

/** The webhook fields of state (every resource adds its scope attributes). */
export interface WebhookFields {
  name: string | null;
  url: string | null;
  events: string[] | null;
  secret: string | null;
  active: boolean | null;
  ssl_verification_required: boolean | null;
  webhook_id: number | null;
}

/** The planned webhook fields at create/update time: every one known (none is computed from others). */
export interface DesiredWebhook {
  name: string;
  url: string;
  events: string[];
  secret: string | null;
  active: boolean;
  sslVerificationRequired: boolean;
}

/** Where one webhook lives, and the client calls for that place. */
export interface WebhookScope {
  /** "repository PLAT/network" or "project PLAT", for messages. */
  readonly target: string;
  /** REPO_ADMIN or PROJECT_ADMIN. */
  readonly permission: string;
  /** The attribute a 404 on the scope points at. */
  readonly notFoundPath: ReturnType<typeof attributePath>;
  search(filter: { name: string; url: string }): Promise<BitbucketWebhook[]>;
  /** The webhook from a listing of the scope shared with other reads (see ProviderClient); undefined when not listed. */
  listed(id: number): Promise<BitbucketWebhook | undefined>;
  get(id: number): Promise<BitbucketWebhook>;
  create(input: BitbucketWebhookInput): Promise<BitbucketWebhook>;
  update(id: number, input: BitbucketWebhookInput): Promise<BitbucketWebhook>;
  delete(id: number): Promise<void>;
}

/**
 * The webhook a create or update plan asks for. At apply time Terraform has planned again with every
 * value from other resources known; only this resource's computed `webhook_id` may still be unknown, and
 * it is not read here. So the casts only drop the plan's "maybe unknown" wrapper.
 */
export function desiredWebhook(plan: {
  name: unknown;
  url: unknown;
  events: unknown;
  secret: unknown;
  active: unknown;
  ssl_verification_required: unknown;
}): DesiredWebhook {
  return {
    name: plan.name as string,
    url: plan.url as string,
    events: plan.events as string[],
    secret: (plan.secret as string | null) ?? null,
    active: plan.active as boolean,
    sslVerificationRequired: plan.ssl_verification_required as boolean,
  };
}

function webhookInput(desired: DesiredWebhook): BitbucketWebhookInput {
  return {
    name: desired.name,
    url: desired.url,
    events: [...desired.events].sort(),
    active: desired.active,
    // No configuration means no secret (an empty secret makes Bitbucket fail with a 500).
    configuration: desired.secret === null ? undefined : { secret: desired.secret },
    sslVerificationRequired: desired.sslVerificationRequired,
  };
}

/**
 * The webhook as Terraform state. `sent` is what this apply sent: Bitbucket's create and update answers
 * do not reliably carry `configuration.secret` (a later GET always does), so the secret that was sent is
 * kept when the answer leaves it out.
 */
export function webhookFields(webhook: BitbucketWebhook, sent?: DesiredWebhook): WebhookFields {
  const secret = webhook.configuration?.secret;
  return {
    name: webhook.name,
    url: webhook.url,
    events: [...webhook.events].sort(),
    secret: secret === undefined || secret === '' ? (sent?.secret ?? null) : secret,
    active: webhook.active,
    // Bitbucket's default when the field is absent (servers older than the field).
    ssl_verification_required: webhook.sslVerificationRequired ?? sent?.sslVerificationRequired ?? true,
    webhook_id: webhook.id,
  };
}

function differsFrom(webhook: BitbucketWebhook, desired: DesiredWebhook): boolean {
  const actual = webhookFields(webhook);
  return (
    actual.url !== desired.url ||
    actual.name !== desired.name ||
    actual.active !== desired.active ||
    actual.ssl_verification_required !== desired.sslVerificationRequired ||
    actual.secret !== desired.secret ||
    actual.events!.join(',') !== [...desired.events].sort().join(',')
  );
}

export interface WebhookResult {
  readonly fields: WebhookFields | null;
  readonly diagnostics: Diagnostic[];
}

function operation(scope: WebhookScope, action: string): BitbucketOperation {
  return { action: `${action} on ${scope.target}`, target: scope.target, permission: scope.permission, notFoundPath: scope.notFoundPath };
}

/**
 * Creates the webhook, unless one with the same name and URL already exists in the scope: that is
 * the webhook an earlier apply made before it was interrupted (its state never saved), so it is
 * adopted and brought in line with the configuration instead of being duplicated. (Bitbucket itself
 * accepts duplicates, so nothing else would stop a second one.)
 */
export async function createOrAdoptWebhook(scope: WebhookScope, desired: DesiredWebhook): Promise<WebhookResult> {
  const what = `create the webhook "${desired.name}"`;
  try {
    const existing = (await scope.search({ name: desired.name, url: desired.url })).sort((a, b) => a.id - b.id);
    if (existing.length === 0) {
      return { fields: webhookFields(await scope.create(webhookInput(desired)), desired), diagnostics: [] };
    }
    const [adopted, ...others] = existing;
    const diagnostics: Diagnostic[] = [];
    if (others.length > 0) {
      diagnostics.push(
        warningDiagnostic(
          `Several webhooks named "${desired.name}" with this URL exist on ${scope.target}`,
          `Adopted the oldest, ${adopted.id}; the others (${others.map((webhook) => webhook.id).join(', ')}) are not managed by this resource. Delete them in Bitbucket if they are leftovers.`,
        ),
      );
    }
    const current = differsFrom(adopted, desired) ? await scope.update(adopted.id, webhookInput(desired)) : adopted;
    return { fields: webhookFields(current, desired), diagnostics };
  } catch (error) {
    return { fields: null, diagnostics: [bitbucketErrorDiagnostic(operation(scope, what), error)] };
  }
}

/** The webhook as it is in Bitbucket now; `fields: null` when it (or its repository or project) is gone. */
export async function readWebhook(scope: WebhookScope, id: number): Promise<WebhookResult> {
  try {
    // Not in the listing: gone, or made after the listing was taken; the GET tells which.
    const webhook = (await scope.listed(id)) ?? (await scope.get(id));
    return { fields: webhookFields(webhook), diagnostics: [] };
  } catch (error) {
    if (error instanceof ApiNotFoundError) return { fields: null, diagnostics: [] };
    return { fields: null, diagnostics: [bitbucketErrorDiagnostic(operation(scope, `read webhook ${id}`), error)] };
  }
}

/** Replaces the webhook's settings (Bitbucket's PUT replaces the whole webhook). */
export async function updateWebhook(scope: WebhookScope, id: number, desired: DesiredWebhook): Promise<WebhookResult> {
  try {
    return { fields: webhookFields(await scope.update(id, webhookInput(desired)), desired), diagnostics: [] };
  } catch (error) {
    if (error instanceof ApiNotFoundError) {
      return {
        fields: null,
        diagnostics: [
          errorDiagnostic(
            `Webhook ${id} no longer exists on ${scope.target}`,
            'It was deleted in Bitbucket after this plan was made. Run `terraform apply` again: the new plan creates it.',
          ),
        ],
      };
    }
    return { fields: null, diagnostics: [bitbucketErrorDiagnostic(operation(scope, `update webhook ${id}`), error)] };
  }
}

/** Deletes the webhook; one already gone counts as deleted. */
export async function deleteWebhook(scope: WebhookScope, id: number): Promise<Diagnostic[]> {
  try {
    await scope.delete(id);
    return [];
  } catch (error) {
    if (error instanceof ApiNotFoundError) return [];
    return [bitbucketErrorDiagnostic(operation(scope, `delete webhook ${id}`), error)];
  }
}

/** The parts of an import id: `PROJECT/ID` (project scope) or `PROJECT/repo/ID` (repository scope). */
export interface WebhookImportId {
  projectKey: string;
  repositorySlug?: string;
  webhookId: number;
}

/**
 * Parses an import id of the given scope; on a malformed id, the diagnostic says what was expected and
 * which part is wrong.
 */
export function parseWebhookImportId(id: string, scope: 'repository' | 'project'): WebhookImportId | Diagnostic {
  const expected = scope === 'repository' ? 'PROJECT/repository_slug/WEBHOOK_ID, e.g. PLAT/network/12' : 'PROJECT/WEBHOOK_ID, e.g. PLAT/12';
  const parts = id.split('/');
  const wanted = scope === 'repository' ? 3 : 2;
  const problems: string[] = [];
  if (parts.length !== wanted) {
    problems.push(`it has ${parts.length} part${parts.length === 1 ? '' : 's'} separated by "/", not ${wanted}`);
  } else {
    const idText = parts[wanted - 1];
    if (canonicalProjectKeyProblem(parts[0]) !== null) problems.push(`"${parts[0]}" is not a project key`);
    if (scope === 'repository' && canonicalRepositorySlugProblem(parts[1]) !== null) problems.push(`"${parts[1]}" is not a repository slug`);
    if (!/^[1-9][0-9]{0,15}$/.test(idText) || !Number.isSafeInteger(Number(idText))) {
      problems.push(`"${idText}" is not a webhook id (a positive whole number)`);
    }
  }
  if (problems.length > 0) {
    return errorDiagnostic('Invalid import id', `Expected ${expected}, got "${id}": ${problems.join('; ')}.`);
  }
  return scope === 'repository'
    ? { projectKey: parts[0], repositorySlug: parts[1], webhookId: Number(parts[2]) }
    : { projectKey: parts[0], webhookId: Number(parts[1]) };
}

/** The webhook fields of an imported resource before `read` fills them in: only the id is known. */
export function importedWebhookFields(webhookId: number): WebhookFields {
  return { name: null, url: null, events: null, secret: null, active: null, ssl_verification_required: null, webhook_id: webhookId };
}
