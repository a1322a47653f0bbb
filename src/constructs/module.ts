import { Lazy, TerraformProvider, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { Module as ModuleResource } from '../providers/liftgate/module';
import { BitbucketDatacenterIntegration, IIntegration } from './integration';
import { ISpace, Space } from './space';
import { projectKeyProblem, repositorySlugProblem } from '../domain/bitbucket-names';
import { branchNameProblem, projectRootProblem } from '../domain/git';
import { modulePartProblem } from '../domain/modules';
import { naming, PropsValidator } from './validation';

/** Properties of a `LiftgateModule`. */
export interface LiftgateModuleProps {
  /** The module's name (lower-case letters, digits and hyphens): the third part of its registry source. */
  readonly name: string;
  /** The main provider the module is written for, e.g. "aws": the last part of its registry source. */
  readonly terraformProvider: string;
  /** The key of the Bitbucket project holding the module's code. */
  readonly projectKey: string;
  /** The slug of the repository holding the module's code. */
  readonly repositorySlug: string;
  /**
   * The space the module lives in: API keys with read on it (or on a space inheriting from it) may use the module.
   * @default the root space
   */
  readonly space?: ISpace;
  /**
   * The integration the repository's tags arrive through (the module's space must be able to use it).
   * @default the default integration declared in the same Terraform stack, if there is one; otherwise the account's
   * default integration
   */
  readonly integration?: IIntegration;
  /**
   * The branch the module is developed on.
   * @default "main"
   */
  readonly branch?: string;
  /**
   * The directory of the module inside the repository; a tag publishes only this directory.
   * @default the repository root
   */
  readonly projectRoot?: string;
  /**
   * What the module is for.
   * @default no description
   */
  readonly description?: string;
  /**
   * Labels of the module.
   * @default no labels
   */
  readonly labels?: string[];
  /**
   * The `liftgate` provider to manage the module with.
   * @default the stack's default `liftgate` provider
   */
  readonly provider?: TerraformProvider;
}

/**
 * A module of Liftgate's private registry: Terraform code in one Bitbucket repository, published in versions by pushing
 * semver tags (`v1.2.3`) and used with `source = "<host>/<space id>/<name>/<provider>"` (a literal: Terraform reads
 * module sources before anything is known, so the space's id is written out).
 */
export class LiftgateModule extends Construct {
  /** The module's id (known at deploy time). */
  public readonly moduleId: string;
  /** The underlying `liftgate_module` resource, for escape hatches. */
  public readonly resource: ModuleResource;

  public constructor(scope: Construct, id: string, props: LiftgateModuleProps) {
    super(scope, id);
    const validator = new PropsValidator(this, 'LiftgateModule');
    validator.checkRule('name', validator.requireText('name', props.name), modulePartProblem);
    validator.checkRule('terraformProvider', validator.requireText('terraformProvider', props.terraformProvider), modulePartProblem);
    validator.checkRule('projectKey', validator.requireText('projectKey', props.projectKey), naming(projectKeyProblem));
    validator.checkRule('repositorySlug', validator.requireText('repositorySlug', props.repositorySlug), naming(repositorySlugProblem));
    validator.checkRule('branch', props.branch, branchNameProblem);
    validator.checkRule('projectRoot', props.projectRoot, projectRootProblem);
    validator.checkLabels('labels', props.labels);
    validator.throwIfInvalid();

    const stack = TerraformStack.of(this);
    const integrationId =
      props.integration?.integrationId ?? Lazy.stringValue({ produce: () => BitbucketDatacenterIntegration.defaultIn(stack)?.integrationId });

    this.resource = new ModuleResource(this, 'Resource', {
      name: props.name,
      terraformProvider: props.terraformProvider,
      spaceId: props.space?.spaceId ?? Space.ROOT_SPACE_ID,
      integrationId,
      projectKey: props.projectKey,
      repositorySlug: props.repositorySlug,
      branch: props.branch ?? 'main',
      projectRoot: props.projectRoot,
      description: props.description,
      labels: props.labels,
      provider: props.provider,
    });
    this.moduleId = this.resource.id;
  }
}
