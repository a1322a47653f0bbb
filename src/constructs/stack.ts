import { Lazy, TerraformProvider, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { Stack as StackResource } from '../providers/liftgate/stack';
import { BitbucketDatacenterIntegration, IIntegration } from './integration';
import { ISpace, Space } from './space';
import { projectKeyProblem, repositorySlugProblem } from '../domain/bitbucket-names';
import { branchNameProblem, projectRootProblem } from '../domain/git';
import { naming, PropsValidator } from './validation';

/** Properties of a `LiftgateStack`. */
export interface LiftgateStackProps {
  /** The stack's name. */
  readonly name: string;
  /** The key of the Bitbucket project holding the stack's code. */
  readonly projectKey: string;
  /** The slug of the repository holding the stack's code. */
  readonly repositorySlug: string;
  /**
   * The space the stack lives in.
   * @default the root space
   */
  readonly space?: ISpace;
  /**
   * The integration the stack receives its webhooks through (the stack's space must be able to use it).
   * @default the default integration declared in the same Terraform stack, if there is one (so the stack is
   * re-pointed in the same apply when that integration is renamed); otherwise the account's default integration
   */
  readonly integration?: IIntegration;
  /**
   * The tracked branch: pushes to it start tracked runs, other pushes and pull requests proposed runs.
   * @default "main"
   */
  readonly branch?: string;
  /**
   * The directory of the stack's code inside the repository.
   * @default the repository root
   */
  readonly projectRoot?: string;
  /**
   * Whether tracked runs apply without confirmation.
   * @default false
   */
  readonly autodeploy?: boolean;
  /**
   * Labels of the stack.
   * @default no labels
   */
  readonly labels?: string[];
  /**
   * The `liftgate` provider to manage the stack with.
   * @default the stack's default `liftgate` provider
   */
  readonly provider?: TerraformProvider;
}

/** A stack of the Liftgate control plane: code in one Bitbucket repository, run on pushes and pull requests. */
export class LiftgateStack extends Construct {
  /** The stack's id (known at deploy time). */
  public readonly stackId: string;
  /** The underlying `liftgate_stack` resource, for escape hatches. */
  public readonly resource: StackResource;

  public constructor(scope: Construct, id: string, props: LiftgateStackProps) {
    super(scope, id);
    const validator = new PropsValidator(this, 'LiftgateStack');
    validator.requireText('name', props.name);
    // The control plane matches keys and slugs in any case; branch and projectRoot by the rules it stores them by.
    validator.checkRule('projectKey', validator.requireText('projectKey', props.projectKey), naming(projectKeyProblem));
    validator.checkRule('repositorySlug', validator.requireText('repositorySlug', props.repositorySlug), naming(repositorySlugProblem));
    validator.checkRule('branch', props.branch, branchNameProblem);
    validator.checkRule('projectRoot', props.projectRoot, projectRootProblem);
    validator.checkLabels('labels', props.labels);
    validator.throwIfInvalid();

    const stack = TerraformStack.of(this);
    const integrationId =
      props.integration?.integrationId ??
      // Resolved at synth, so a default integration declared after this stack is found too.
      Lazy.stringValue({ produce: () => BitbucketDatacenterIntegration.defaultIn(stack)?.integrationId });

    this.resource = new StackResource(this, 'Resource', {
      name: props.name,
      spaceId: props.space?.spaceId ?? Space.ROOT_SPACE_ID,
      integrationId,
      projectKey: props.projectKey,
      repositorySlug: props.repositorySlug,
      branch: props.branch ?? 'main',
      projectRoot: props.projectRoot,
      autodeploy: props.autodeploy ?? false,
      labels: props.labels,
      provider: props.provider,
    });
    this.stackId = this.resource.id;
  }
}
