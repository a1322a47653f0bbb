import { Lazy, TerraformProvider, TerraformStack, Token } from 'cdktf';
import { Construct } from 'constructs';
import { Stack as StackResource } from '../providers/liftgate/stack';
import { StackEnvironmentVariable } from '../providers/liftgate/stack-environment-variable';
import { BitbucketDatacenterIntegration, IIntegration } from './integration';
import { ISpace, Space } from './space';
import { projectKeyProblem, repositorySlugProblem } from '../domain/bitbucket-names';
import { environmentVariableNameProblem, environmentVariableValueProblem } from '../domain/environment';
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
   * Whether the control plane holds the stack's Terraform state: runs then use its http backend, and any backend the
   * stack's code declares is overridden. Set it to false when the code brings its own backend (S3, …).
   * @default true
   */
  readonly manageState?: boolean;
  /**
   * The `liftgate` provider to manage the stack with.
   * @default the stack's default `liftgate` provider
   */
  readonly provider?: TerraformProvider;
}

/** Options of `LiftgateStack.addEnvironmentVariable`. */
export interface EnvironmentVariableOptions {
  /**
   * Whether the value is secret: encrypted at rest, never returned by the control plane's API, and masked as `***` in
   * run logs. The value is still in this app's Terraform state (marked sensitive); pass it from a sensitive
   * `TerraformVariable` to keep it out of the code.
   * @default false
   */
  readonly secret?: boolean;
}

/** A stack of the Liftgate control plane: code in one Bitbucket repository, run on pushes and pull requests. */
export class LiftgateStack extends Construct {
  /** The stack's id (known at deploy time). */
  public readonly stackId: string;
  /** The underlying `liftgate_stack` resource, for escape hatches. */
  public readonly resource: StackResource;

  private readonly provider?: TerraformProvider;
  private readonly environmentVariableNames = new Set<string>();

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
    this.provider = props.provider;

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
      manageState: props.manageState,
      provider: props.provider,
    });
    this.stackId = this.resource.id;
  }

  /**
   * Adds an environment variable every run of the stack gets (a `liftgate_stack_environment_variable` with construct id
   * `EnvironmentVariable_<name>`). Names the control plane reserves (TF_HTTP_*, LIFTGATE_*, PATH, HOME, TF_CLI_ARGS*,
   * TF_LOG*, …), malformed names, a name added twice and values over 64 KiB are refused here, at construction.
   *
   * @param name the variable's name, e.g. `AWS_REGION`
   * @param value its value
   * @returns the underlying resource, for escape hatches
   */
  public addEnvironmentVariable(name: string, value: string, options: EnvironmentVariableOptions = {}): StackEnvironmentVariable {
    const validator = new PropsValidator(this, 'LiftgateStack.addEnvironmentVariable');
    validator.checkRule('name', name, environmentVariableNameProblem);
    validator.checkRule('value', value, environmentVariableValueProblem);
    if (!Token.isUnresolved(name) && this.environmentVariableNames.has(name)) validator.report('name', `${JSON.stringify(name)} was already added to this stack`);
    validator.throwIfInvalid();
    this.environmentVariableNames.add(name);
    return new StackEnvironmentVariable(this, `EnvironmentVariable_${name}`, {
      stackId: this.stackId,
      name,
      value,
      secret: options.secret ?? false,
      provider: this.provider,
    });
  }
}
