import type { Integration, IntegrationUpdateInput } from '../../clients/liftgate';
import { type LiftgateApiError } from '../../clients/liftgate/errors';
import {
  attributePath,
  boolAttribute,
  eachElement,
  errorDiagnostic,
  lengthBetween,
  numberAttribute,
  satisfies,
  setAttribute,
  stringAttribute,
  unknown,
  warningDiagnostic,
  type Diagnostic,
  type ModelOf,
  type ResourceDefinition,
  type Validator,
} from '../../plugin';
import { apiHostProblem, defaultUserFacingHost } from '../../domain/api-hosts';
import { apiErrorDiagnostic, quotedList, type FieldMap, type LiftgateProviderContext } from './context';
import { ApiConflictError, ApiNotFoundError } from '../../clients/errors';

/**
 * The control plane accepts https:// hosts, private://<vcs-agent-pool>, and http:// only on loopback hosts
 * (so a local Bitbucket emulator can be used); checking the same here fails `plan` instead of `apply`.
 */
const bitbucketApiHost: Validator<string> = satisfies('an https:// URL, private://<vcs-agent-pool>, or an http:// URL of a loopback host', apiHostProblem);

const attributes = {
  id: stringAttribute({ computed: true, description: 'The integration\'s id: a slug of its name.' }),
  name: stringAttribute({
    required: true,
    description: 'The integration\'s friendly name, unique per account. Its id and webhook URL derive from it.',
    requiresReplace: 'the control plane keeps names immutable (the id and the webhook URL derive from the name), so a rename creates a new integration.',
    validators: [lengthBetween(1, 100)],
  }),
  is_default: boolAttribute({
    optional: true,
    default: false,
    description: 'Whether this is the account\'s default Bitbucket Data Center integration (at most one; it lives in `root` and every stack may use it).',
    requiresReplace: 'the control plane keeps is_default immutable. The default integration is replaced destroy-first, since only one may exist.',
  }),
  space_id: stringAttribute({
    optional: true,
    default: 'root',
    description: 'The space of a space-level integration; stacks in it and in descendants that inherit entities may use it. Must be `root` (the default) for the default integration.',
  }),
  api_host: stringAttribute({
    required: true,
    description: 'The URL the control plane calls: https://…, private://<vcs-agent-pool>, or http:// on a loopback host.',
    validators: [bitbucketApiHost],
  }),
  user_facing_host: stringAttribute({
    optional: true,
    computed: true,
    description: 'The URL shown to people. Defaults to api_host when that is a direct URL.',
  }),
  username: stringAttribute({ required: true, description: 'The Bitbucket user the access token belongs to.', validators: [lengthBetween(1, 255)] }),
  access_token: stringAttribute({
    optional: true,
    sensitive: true,
    description: 'The Bitbucket HTTP access token (kept in state, marked sensitive). Set this or access_token_wo.',
    validators: [lengthBetween(1, 4096)],
  }),
  access_token_wo: stringAttribute({
    optional: true,
    sensitive: true,
    writeOnly: true,
    description: 'The Bitbucket HTTP access token, write-only: sent to the control plane, never stored in state. Needs access_token_wo_version.',
    validators: [lengthBetween(1, 4096)],
  }),
  access_token_wo_version: numberAttribute({
    optional: true,
    description: 'Change this number to send access_token_wo again (rotate the token); Terraform cannot see a write-only value change.',
  }),
  labels: setAttribute('string', { optional: true, default: [], description: 'Labels of the integration.', validators: [eachElement(lengthBetween(1, 100))] }),
  description: stringAttribute({ optional: true, default: '', description: 'A description (markdown).', validators: [lengthBetween(0, 10_000)] }),
  webhook_url: stringAttribute({ computed: true, description: 'Where Bitbucket sends webhooks: {publicUrl}/webhooks/bitbucket-datacenter/{id}.' }),
  webhook_secret: stringAttribute({ computed: true, sensitive: true, description: 'The secret Bitbucket signs deliveries with (generated on create).' }),
};

type IntegrationModel = ModelOf<typeof attributes>;

const fields: FieldMap = {
  name: 'name',
  isDefault: 'is_default',
  spaceId: 'space_id',
  apiHost: 'api_host',
  userFacingHost: 'user_facing_host',
  username: 'username',
  accessToken: 'access_token',
  labels: 'labels',
  description: 'description',
};

/** The state for an integration; the token attributes are never returned by the API, so they are carried over. */
function integrationState(integration: Integration, tokens: Pick<IntegrationModel, 'access_token' | 'access_token_wo_version'>): IntegrationModel {
  return {
    id: integration.id,
    name: integration.name,
    is_default: integration.isDefault,
    space_id: integration.spaceId,
    api_host: integration.apiHost,
    user_facing_host: integration.userFacingHost,
    username: integration.username,
    access_token: tokens.access_token,
    access_token_wo: null,
    access_token_wo_version: tokens.access_token_wo_version,
    labels: integration.labels,
    description: integration.description,
    webhook_url: integration.webhookUrl,
    webhook_secret: integration.webhookSecret,
  };
}

/** Whether the stored user_facing_host is what the control plane derives when none is configured. */
function userFacingHostIsDerived(state: Pick<IntegrationModel, 'api_host' | 'user_facing_host'>): boolean {
  return state.user_facing_host === (typeof state.api_host === 'string' ? defaultUserFacingHost(state.api_host) : null);
}

function adminSpace(model: { is_default: unknown; space_id: unknown }): string {
  return model.is_default === true || typeof model.space_id !== 'string' ? 'root' : model.space_id;
}

/** A 409 on creating a default integration: explain the destroy-first rule besides the control plane's message. */
function createFailure(error: unknown, name: string, spaceId: string, isDefault: boolean): Diagnostic {
  const diagnostic = apiErrorDiagnostic(error, { action: `create integration "${name}"`, role: 'admin', spaceId }, fields);
  if (isDefault && error instanceof ApiConflictError && (error as LiftgateApiError).details.id !== undefined) {
    return {
      ...diagnostic,
      detail: `${diagnostic.detail}\n\nOnly one default integration may exist, so a default integration must be replaced destroy-first: ` +
        'do not set create_before_destroy on it.',
    };
  }
  return diagnostic;
}

/** `liftgate_bitbucket_datacenter_integration`: the control plane's connection to a Bitbucket Data Center. */
export const integrationResource: ResourceDefinition<typeof attributes, LiftgateProviderContext> = {
  typeName: 'liftgate_bitbucket_datacenter_integration',
  schema: {
    description:
      'A Bitbucket Data Center integration of the Liftgate control plane. Changing `name` or `is_default` replaces it ' +
      '(the webhook URL derives from the name): use create_before_destroy for a space-level integration so stacks and ' +
      'webhooks move to the new one before the old is deleted. Deleting it detaches the stacks that still use it.',
    attributes,
  },

  validateConfig({ config }) {
    const problems: Diagnostic[] = [];
    if (config.is_default === true && typeof config.space_id === 'string' && config.space_id !== 'root') {
      problems.push(
        errorDiagnostic(
          'A default integration cannot have a space',
          `The default integration lives in root and every stack may use it; space_id must be "root" or left out, got "${config.space_id}". ` +
            'Set is_default = false for an integration of that space.',
          attributePath('space_id'),
        ),
      );
    }
    const hasToken = config.access_token !== null;
    const hasWriteOnly = config.access_token_wo !== null;
    if (hasToken && hasWriteOnly) {
      problems.push(errorDiagnostic('Conflicting access tokens', 'Set either access_token or access_token_wo, not both.', attributePath('access_token_wo')));
    } else if (!hasToken && !hasWriteOnly) {
      problems.push(errorDiagnostic('Missing access token', 'Set access_token, or access_token_wo with access_token_wo_version.', attributePath('access_token')));
    }
    if (hasWriteOnly && config.access_token_wo_version === null) {
      problems.push(
        errorDiagnostic(
          'Missing access_token_wo_version',
          'access_token_wo is write-only, so Terraform cannot tell when it changes: set access_token_wo_version and change it to rotate the token.',
          attributePath('access_token_wo_version'),
        ),
      );
    }
    return problems;
  },

  async modifyPlan({ client, prior, plan, config, signal }) {
    if (plan === null) {
      // Destroy: say which stacks will be detached, leaving out those this plan deletes or moves elsewhere first.
      if (prior === null) return {};
      let using: string[];
      try {
        using = (await client.api.stacks.list({ integrationId: prior.id as string }, { signal }))
          .filter((stack) => !client.stacksLeavingTheirIntegration.has(stack.id))
          .map((stack) => stack.name);
      } catch (error) {
        // The list only informs the warning: failing to get it must not block the destroy itself.
        const problem = apiErrorDiagnostic(error, { action: `list the stacks using integration "${prior.id}"`, role: 'read', spaceId: prior.space_id });
        return { diagnostics: [{ ...problem, severity: 'warning' }] };
      }
      if (using.length === 0) return {};
      const one = using.length === 1;
      return {
        diagnostics: [
          warningDiagnostic(
            `Deleting integration "${prior.name}" detaches ${one ? 'stack' : 'stacks'} ${quotedList(using)}`,
            `${quotedList(using)} ${one ? 'uses' : 'use'} this integration, and this plan neither deletes ${one ? 'it' : 'them'} nor points ` +
              `${one ? 'it' : 'them'} at another integration: once the integration is deleted, ${one ? 'it receives' : 'they receive'} no webhooks and ` +
              `${one ? 'refuses' : 'refuse'} runs until attached to an integration again.`,
          ),
        ],
      };
    }
    if (prior !== null) {
      const replacing = plan.name !== prior.name || plan.is_default !== prior.is_default;
      if (prior.is_default === true && replacing) client.defaultIntegrationsBeingReplaced.add(prior.id as string);
      // The control plane derives user_facing_host from api_host when it is not configured: it changes with
      // api_host, and leaving out a host that was set resets it.
      if (config !== null && config.user_facing_host === null && (plan.api_host !== prior.api_host || !userFacingHostIsDerived(prior))) {
        return { plan: { ...plan, user_facing_host: unknown } };
      }
      return {};
    }
    if (plan.is_default !== true) return {};
    // Creating a default integration: refuse now if another default exists and is not being replaced in this plan.
    let existing: string | undefined;
    try {
      existing = (await client.api.integrations.list({ signal })).find((candidate) => candidate.isDefault)?.id;
    } catch (error) {
      return { diagnostics: [apiErrorDiagnostic(error, { action: 'list integrations', role: 'read', spaceId: 'root' })] };
    }
    if (existing === undefined || client.defaultIntegrationsBeingReplaced.has(existing)) return {};
    return {
      diagnostics: [
        errorDiagnostic(
          'A default integration already exists',
          `The control plane allows one default Bitbucket Data Center integration and "${existing}" already is it. ` +
            'Rename that one in its own resource (Terraform replaces it destroy-first), delete it first, or set is_default = false ' +
            'and give this integration a space_id.',
          attributePath('is_default'),
        ),
      ],
    };
  },

  async create({ client, config, signal }) {
    const isDefault = config.is_default === true;
    const spaceId = adminSpace(config);
    const accessToken = (config.access_token ?? config.access_token_wo) as string;
    try {
      const integration = await client.api.integrations.create({
        name: config.name as string,
        isDefault,
        spaceId: config.space_id ?? 'root',
        apiHost: config.api_host as string,
        ...(config.user_facing_host === null ? {} : { userFacingHost: config.user_facing_host }),
        username: config.username as string,
        accessToken,
        labels: config.labels ?? [],
        description: config.description ?? '',
      }, { signal });
      return { state: integrationState(integration, config) };
    } catch (error) {
      return { state: null, diagnostics: [createFailure(error, config.name as string, spaceId, isDefault)] };
    }
  },

  async read({ client, state, signal }) {
    try {
      return { state: integrationState(await client.api.integrations.get(state.id as string, { signal }), state) };
    } catch (error) {
      if (error instanceof ApiNotFoundError) return { state: null };
      return { state, diagnostics: [apiErrorDiagnostic(error, { action: `read integration "${state.id}"`, role: 'admin', spaceId: adminSpace(state) })] };
    }
  },

  async update({ client, config, prior, signal }) {
    const id = prior.id as string;
    const change: IntegrationUpdateInput = {
      spaceId: config.space_id ?? 'root',
      apiHost: config.api_host as string,
      username: config.username as string,
      labels: config.labels ?? [],
      description: config.description ?? '',
    };
    if (config.user_facing_host !== null) change.userFacingHost = config.user_facing_host;
    else if (config.api_host !== prior.api_host || !userFacingHostIsDerived(prior)) change.userFacingHost = null;
    // The control plane sends a stored token only to the host and user it was given for, so a new api_host or
    // username carries the token again (write-only ones are in the configuration during apply).
    const credentialsMoved = config.api_host !== prior.api_host || config.username !== prior.username;
    if (config.access_token !== null && (credentialsMoved || config.access_token !== prior.access_token)) change.accessToken = config.access_token;
    if (config.access_token_wo !== null && (credentialsMoved || config.access_token_wo_version !== prior.access_token_wo_version)) {
      change.accessToken = config.access_token_wo;
    }
    try {
      return { state: integrationState(await client.api.integrations.update(id, change, { signal }), config) };
    } catch (error) {
      return { state: null, diagnostics: [apiErrorDiagnostic(error, { action: `update integration "${id}"`, role: 'admin', spaceId: adminSpace(prior) }, fields)] };
    }
  },

  async delete({ client, state, signal, replacing }) {
    const id = state.id as string;
    try {
      const deleted = await client.api.integrations.delete(id, { signal });
      const detached = deleted?.detachedStacks.map((stack) => stack.name) ?? [];
      if (detached.length === 0) return {};
      const one = detached.length === 1;
      const which = `${one ? 'stack' : 'stacks'} ${quotedList(detached)}`;
      // Destroy-first, the replacement does not exist yet: the stacks that reference it are pointed at it later in this
      // apply. Otherwise (a destroy, or a replacement created first, which the stacks already moved to) whatever is
      // still attached here stays detached.
      if (replacing && state.is_default === true) {
        return {
          diagnostics: [
            warningDiagnostic(
              `Default integration "${state.name}" was deleted before its replacement exists; ${which} ${one ? 'is' : 'are'} detached until pointed at it`,
              'Only one default integration may exist, so Terraform replaces it destroy-first. Later in this apply, the stacks whose ' +
                'integration_id refers to this resource (every LiftgateStack of the BitbucketDatacenterIntegration construct) are ' +
                'attached to the replacement. A stack this configuration does not manage stays detached (no webhooks, no runs) until ' +
                'it is attached to an integration again.',
            ),
          ],
        };
      }
      return {
        diagnostics: [
          warningDiagnostic(
            `Integration "${state.name}" was deleted; ${which} ${one ? 'is' : 'are'} now detached`,
            'A detached stack receives no webhooks and refuses runs until it is attached to an integration again; the configuration ' +
              'that manages it shows that as a change.',
          ),
        ],
      };
    } catch (error) {
      if (error instanceof ApiNotFoundError) return {};
      return { diagnostics: [apiErrorDiagnostic(error, { action: `delete integration "${id}"`, role: 'admin', spaceId: adminSpace(state) })] };
    }
  },

  async importState({ id }) {
    return {
      state: {
        id,
        name: null,
        is_default: null,
        space_id: null,
        api_host: null,
        user_facing_host: null,
        username: null,
        access_token: null,
        access_token_wo: null,
        access_token_wo_version: null,
        labels: null,
        description: null,
        webhook_url: null,
        webhook_secret: null,
      },
    };
  },
};

