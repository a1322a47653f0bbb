import { TerraformIterator, TerraformProvider, TerraformStack, Token } from 'cdktf';
import { Construct, IConstruct } from 'constructs';
import { DataBitbucketdcRepositories } from '../providers/bitbucketdc/data-bitbucketdc-repositories';
import { ProjectWebhook } from '../providers/bitbucketdc/project-webhook';
import { RepositoryWebhook } from '../providers/bitbucketdc/repository-webhook';
import { BitbucketDatacenterIntegration as IntegrationResource } from '../providers/liftgate/bitbucket-datacenter-integration';
import { DataLiftgateBitbucketDatacenterIntegration } from '../providers/liftgate/data-liftgate-bitbucket-datacenter-integration';
import { ISpace } from './space';
import { apiHostProblem, userFacingHostProblem } from '../domain/api-hosts';
import { canonicalProjectKeyProblem, canonicalRepositorySlugProblem } from '../domain/bitbucket-names';
import { slugify } from '../domain/spaces';
import { naming, PropsValidator } from './validation';
import { WebhookEvent, allWebhookEvents } from './webhook-events';

/** A Bitbucket DC integration of the control plane: created by the construct or imported. */
export interface IIntegration extends IConstruct {
  /** The integration's id (a slug of its name). */
  readonly integrationId: string;
  /** Where Bitbucket delivers webhooks for this integration. */
  readonly webhookUrl: string;
  /** The secret Bitbucket signs deliveries with (sensitive). */
  readonly webhookSecret: string;
}

/** A repository of Bitbucket Data Center. */
export interface BitbucketRepository {
  /** The project's key, e.g. `PLAT`. */
  readonly projectKey: string;
  /** The repository's slug, e.g. `network`. */
  readonly repositorySlug: string;
}

/** Properties of a `BitbucketDatacenterIntegration`. */
export interface BitbucketDatacenterIntegrationProps {
  /**
   * The integration's name, unique in the account. Its id and webhook URL are derived from it, so a new
   * name replaces the integration (see the class documentation for how stacks and webhooks follow).
   */
  readonly name: string;
  /**
   * Whether this is the account's default integration (lives in the root space, usable by every stack;
   * at most one exists).
   * @default false: a space-level integration
   */
  readonly isDefault?: boolean;
  /**
   * The space of a space-level integration. Not allowed for the default integration.
   * @default the root space (for a space-level integration)
   */
  readonly space?: ISpace;
  /** The URL the control plane calls: `https://…` (`http://` only for loopback hosts) or `private://<vcs-agent-pool>`. */
  readonly apiHost: string;
  /**
   * The URL shown to people in links.
   * @default `apiHost` when that is an http(s) URL
   */
  readonly userFacingHost?: string;
  /** The Bitbucket user the control plane acts as. */
  readonly username: string;
  /** The user's HTTP access token (sensitive). */
  readonly accessToken: string;
  /**
   * Send the token write-only, keeping it out of Terraform state; increase the number to send a new token.
   * @default the token is kept (marked sensitive) in Terraform state and re-sent when it changes
   */
  readonly accessTokenVersion?: number;
  /**
   * Labels of the integration.
   * @default no labels
   */
  readonly labels?: string[];
  /**
   * A markdown description.
   * @default no description
   */
  readonly description?: string;
  /**
   * Repositories that get a webhook delivering to this integration, one webhook each.
   * @default no repository webhooks are created
   */
  readonly repositories?: BitbucketRepository[];
  /**
   * Keys of projects that get one project-level webhook each (Bitbucket fires it for every repository of the project).
   * @default no project webhooks are created
   */
  readonly projects?: string[];
  /**
   * Keys of projects whose every repository gets its own webhook: the repositories are listed at plan time
   * (data source `bitbucketdc_repositories`), so a repository added to the project gets a webhook on the next
   * deploy and a removed one loses only its own.
   * @default no project's repositories are listed
   */
  readonly allRepositoriesOfProjects?: string[];
  /**
   * The events the webhooks subscribe to.
   * @default every event Liftgate handles (push, pull request opened/updated/modified/approved/unapproved/merged/commented)
   */
  readonly webhookEvents?: WebhookEvent[];
  /**
   * The name of the webhooks in Bitbucket.
   * @default "Liftgate <integration name>"
   */
  readonly webhookName?: string;
  /**
   * Whether Bitbucket verifies the TLS certificate of the webhook URL.
   * @default true
   */
  readonly webhookSslVerificationRequired?: boolean;
  /**
   * The `liftgate` provider to manage the integration with.
   * @default the stack's default `liftgate` provider
   */
  readonly liftgateProvider?: TerraformProvider;
  /**
   * The `bitbucketdc` provider to manage the webhooks with.
   * @default the stack's default `bitbucketdc` provider
   */
  readonly bitbucketProvider?: TerraformProvider;
}

class ImportedIntegration extends Construct implements IIntegration {
  public readonly integrationId: string;
  public readonly webhookUrl: string;
  public readonly webhookSecret: string;

  public constructor(scope: Construct, id: string, integrationId: string | undefined, provider: TerraformProvider | undefined) {
    super(scope, id);
    const data = new DataLiftgateBitbucketDatacenterIntegration(this, 'Resource', { id: integrationId, provider });
    this.integrationId = data.id;
    this.webhookUrl = data.webhookUrl;
    this.webhookSecret = data.webhookSecret;
  }
}

/**
 * The webhooks' project keys and slugs as the bitbucketdc provider takes them: spelt as Bitbucket shows them (PLAT,
 * network), since its state holds what Bitbucket answers. Another spelling would pass synth and fail at plan.
 */
const webhookProjectKey = naming(canonicalProjectKeyProblem);
const webhookRepositorySlug = naming(canonicalRepositorySlugProblem);

/**
 * A Bitbucket Data Center integration of the Liftgate control plane, plus a webhook on each listed
 * repository or project that delivers the integration's events to its webhook URL, signed with its secret.
 *
 * Renaming replaces the integration (its id and webhook URL come from the name). A space-level integration
 * is created before the old one is destroyed, so there is no gap; the default integration is destroyed
 * first (only one default may exist). Either way the webhooks, and the stacks that reference the
 * integration, are updated to the new one in the same apply.
 */
export class BitbucketDatacenterIntegration extends Construct implements IIntegration {
  /** Every webhook event Liftgate handles: the default `webhookEvents`. */
  public static readonly DEFAULT_WEBHOOK_EVENTS: WebhookEvent[] = [...allWebhookEvents];

  /** Refers to an existing integration by id (read with the `liftgate_bitbucket_datacenter_integration` data source). */
  public static fromIntegrationId(scope: Construct, id: string, integrationId: string, provider?: TerraformProvider): IIntegration {
    const imported = new ImportedIntegration(scope, id, integrationId, provider);
    const validator = new PropsValidator(imported, 'BitbucketDatacenterIntegration.fromIntegrationId');
    validator.requireText('integrationId', integrationId);
    validator.throwIfInvalid();
    return imported;
  }

  /** Refers to the account's default integration (read with the `liftgate_bitbucket_datacenter_integration` data source). */
  public static fromDefault(scope: Construct, id: string, provider?: TerraformProvider): IIntegration {
    return new ImportedIntegration(scope, id, undefined, provider);
  }

  /** Finds the default integration declared with this construct in `stack`, if any. */
  public static defaultIn(stack: TerraformStack): BitbucketDatacenterIntegration | undefined {
    return stack.node
      .findAll()
      .find((child): child is BitbucketDatacenterIntegration => child instanceof BitbucketDatacenterIntegration && child.isDefault && TerraformStack.of(child) === stack);
  }

  public readonly integrationId: string;
  public readonly webhookUrl: string;
  public readonly webhookSecret: string;
  /** Whether this is the account's default integration. */
  public readonly isDefault: boolean;
  /** The underlying `liftgate_bitbucket_datacenter_integration` resource, for escape hatches. */
  public readonly resource: IntegrationResource;
  /** The repository webhooks, in the order of `repositories`. */
  public readonly repositoryWebhooks: RepositoryWebhook[];
  /** The project webhooks, in the order of `projects`. */
  public readonly projectWebhooks: ProjectWebhook[];
  /** One webhook resource per project of `allRepositoriesOfProjects` (each with an instance per repository), in that order. */
  public readonly fanOutWebhooks: RepositoryWebhook[];

  public constructor(scope: Construct, id: string, props: BitbucketDatacenterIntegrationProps) {
    super(scope, id);
    this.isDefault = props.isDefault ?? false;
    const events = props.webhookEvents ?? BitbucketDatacenterIntegration.DEFAULT_WEBHOOK_EVENTS;
    this.validate(props, events);

    this.resource = new IntegrationResource(this, 'Resource', {
      name: props.name,
      isDefault: this.isDefault,
      spaceId: this.isDefault ? undefined : props.space?.spaceId,
      apiHost: props.apiHost,
      userFacingHost: props.userFacingHost,
      username: props.username,
      ...(props.accessTokenVersion === undefined
        ? { accessToken: props.accessToken }
        : { accessTokenWo: props.accessToken, accessTokenWoVersion: props.accessTokenVersion }),
      labels: props.labels,
      description: props.description,
      provider: props.liftgateProvider,
      // A space-level integration is unique by name, so its replacement can exist next to it: create first,
      // re-point, then destroy (no moment without one). Only one default may exist: destroy first.
      lifecycle: { createBeforeDestroy: !this.isDefault },
    });
    this.integrationId = this.resource.id;
    this.webhookUrl = this.resource.webhookUrl;
    this.webhookSecret = this.resource.webhookSecret;

    const webhook = {
      name: props.webhookName ?? `Liftgate ${props.name}`,
      url: this.webhookUrl,
      secret: this.webhookSecret,
      events: [...events],
      active: true,
      sslVerificationRequired: props.webhookSslVerificationRequired,
      provider: props.bitbucketProvider,
    };
    // Construct ids carry the repository (never its position) so removing one repository leaves the others' addresses alone.
    this.repositoryWebhooks = (props.repositories ?? []).map(
      (repository) =>
        new RepositoryWebhook(this, `Webhook-${repository.projectKey}-${repository.repositorySlug}`, {
          ...webhook,
          projectKey: repository.projectKey,
          repositorySlug: repository.repositorySlug,
        }),
    );
    this.projectWebhooks = (props.projects ?? []).map((projectKey) => new ProjectWebhook(this, `ProjectWebhook-${projectKey}`, { ...webhook, projectKey }));
    this.fanOutWebhooks = (props.allRepositoriesOfProjects ?? []).map((projectKey) => {
      const repositories = new DataBitbucketdcRepositories(this, `Repositories-${projectKey}`, { projectKey, provider: props.bitbucketProvider });
      // for_each keyed by slug: adding or removing a repository touches only its own webhook instance.
      const eachSlug = TerraformIterator.fromList(repositories.slugs);
      return new RepositoryWebhook(this, `AllRepositoriesWebhook-${projectKey}`, {
        ...webhook,
        forEach: eachSlug,
        projectKey,
        repositorySlug: eachSlug.value,
      });
    });
  }

  private validate(props: BitbucketDatacenterIntegrationProps, events: WebhookEvent[]): void {
    const validator = new PropsValidator(this, 'BitbucketDatacenterIntegration');
    const name = validator.requireText('name', props.name);
    // The control plane derives the id from the name and refuses a name it cannot make one of.
    validator.checkRule('name', name, (given) =>
      slugify(given) === '' ? `${JSON.stringify(given)} needs at least one letter or digit (the id is a slug of the name)` : null,
    );
    if (this.isDefault && props.space !== undefined) {
      validator.report('space', 'a default integration lives in the root space: remove space, or set isDefault to false for a space-level integration');
    }
    if (this.isDefault) {
      const stack = TerraformStack.of(this);
      const other = stack.node.findAll().find((child) => child !== this && child instanceof BitbucketDatacenterIntegration && child.isDefault && TerraformStack.of(child) === stack);
      if (other !== undefined) validator.report('isDefault', `the stack already declares the default integration at "${other.node.path}" (an account has at most one)`);
    }
    validator.checkRule('apiHost', validator.requireText('apiHost', props.apiHost), naming(apiHostProblem));
    validator.checkRule('userFacingHost', props.userFacingHost, naming(userFacingHostProblem));
    validator.requireText('username', props.username);
    validator.requireText('accessToken', props.accessToken);
    if (props.accessTokenVersion !== undefined && !Token.isUnresolved(props.accessTokenVersion) && !(Number.isInteger(props.accessTokenVersion) && props.accessTokenVersion >= 1)) {
      validator.report('accessTokenVersion', `${props.accessTokenVersion} must be a whole number from 1`);
    }
    validator.checkLabels('labels', props.labels);
    if (props.webhookName !== undefined) validator.checkNotBlank('webhookName', props.webhookName);

    const projects = new Set<string>();
    (props.projects ?? []).forEach((given, index) => {
      const projectKey = validator.requireText(`projects[${index}]`, given);
      if (projectKey === undefined) return;
      validator.checkRule(`projects[${index}]`, projectKey, webhookProjectKey);
      if (projects.has(projectKey.toUpperCase())) validator.report(`projects[${index}]`, `duplicate project ${JSON.stringify(projectKey)}`);
      projects.add(projectKey.toUpperCase());
    });
    const fannedOut = new Set<string>();
    (props.allRepositoriesOfProjects ?? []).forEach((given, index) => {
      const field = `allRepositoriesOfProjects[${index}]`;
      const projectKey = validator.requireText(field, given);
      if (projectKey === undefined) return;
      validator.checkRule(field, projectKey, webhookProjectKey);
      if (fannedOut.has(projectKey.toUpperCase())) validator.report(field, `duplicate project ${JSON.stringify(projectKey)}`);
      else if (projects.has(projectKey.toUpperCase())) {
        validator.report(field, `${projectKey} is also in projects: its repositories would receive every event twice`);
      }
      fannedOut.add(projectKey.toUpperCase());
    });
    const repositories = new Set<string>();
    (props.repositories ?? []).forEach((repository, index) => {
      const projectKey = validator.requireText(`repositories[${index}].projectKey`, repository.projectKey);
      const repositorySlug = validator.requireText(`repositories[${index}].repositorySlug`, repository.repositorySlug);
      if (projectKey === undefined || repositorySlug === undefined) return;
      validator.checkRule(`repositories[${index}].projectKey`, projectKey, webhookProjectKey);
      validator.checkRule(`repositories[${index}].repositorySlug`, repositorySlug, webhookRepositorySlug);
      const key = `${projectKey.toUpperCase()}/${repositorySlug}`;
      if (repositories.has(key)) validator.report(`repositories[${index}]`, `duplicate repository ${key}`);
      else if (projects.has(projectKey.toUpperCase())) {
        validator.report(`repositories[${index}]`, `${key} already gets the project webhook of ${projectKey} (it would receive every event twice)`);
      } else if (fannedOut.has(projectKey.toUpperCase())) {
        validator.report(`repositories[${index}]`, `${key} already gets a webhook through allRepositoriesOfProjects`);
      }
      repositories.add(key);
    });

    if (!Token.isUnresolved(events)) {
      if (events.length === 0) validator.report('webhookEvents', 'must list at least one event');
      const known = new Set<string>(allWebhookEvents);
      const seen = new Set<string>();
      events.forEach((event, index) => {
        if (!known.has(event)) validator.report(`webhookEvents[${index}]`, `${JSON.stringify(event)} is not an event Liftgate handles (${allWebhookEvents.join(', ')})`);
        else if (seen.has(event)) validator.report(`webhookEvents[${index}]`, `duplicate event ${JSON.stringify(event)}`);
        seen.add(event);
      });
    }
    validator.throwIfInvalid();
  }
}
