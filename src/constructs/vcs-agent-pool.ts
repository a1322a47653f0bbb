import { TerraformProvider } from 'cdktf';
import { Construct } from 'constructs';
import { poolNameProblem } from '../domain/api-hosts';
import { VcsAgentPool as VcsAgentPoolResource } from '../providers/liftgate/vcs-agent-pool';
import { ISpace, Space } from './space';
import { PropsValidator } from './validation';

/** Properties of a `VcsAgentPool`. */
export interface VcsAgentPoolProps {
  /**
   * The pool's name: an integration reaches the Bitbucket behind it with `apiHost: 'private://<name>'`
   * (see `VcsAgentPool.apiHost`). 1 to 63 letters, digits, ".", "_" or "-". Changing it replaces the pool.
   */
  readonly name: string;
  /**
   * The space whose admins manage the pool. Changing it replaces the pool.
   * @default the root space
   */
  readonly space?: ISpace;
  /**
   * A markdown description. Changing it replaces the pool.
   * @default no description
   */
  readonly description?: string;
  /**
   * The `liftgate` provider to manage the pool with.
   * @default the stack's default `liftgate` provider
   */
  readonly provider?: TerraformProvider;
}

/**
 * A VCS agent pool (SPEC §9): `liftgate vcs-agent` processes inside a private network dial out to the control plane
 * with the pool's `token` and carry the Bitbucket calls of integrations whose apiHost is `private://<name>`.
 * The token is a sensitive value in Terraform state; hand it to the agents from there (an output or a secret store).
 */
export class VcsAgentPool extends Construct {
  /** The pool's id (known at deploy time). */
  public readonly poolId: string;
  /** The pool's name. */
  public readonly name: string;
  /** The apiHost of an integration whose Bitbucket this pool's agents reach: `private://<name>`. */
  public readonly apiHost: string;
  /** The token the pool's agents connect with (sensitive; known at deploy time). */
  public readonly token: string;
  /** The underlying `liftgate_vcs_agent_pool` resource, for escape hatches. */
  public readonly resource: VcsAgentPoolResource;

  public constructor(scope: Construct, id: string, props: VcsAgentPoolProps) {
    super(scope, id);
    const validator = new PropsValidator(this, 'VcsAgentPool');
    const name = validator.requireText('name', props.name);
    if (name !== undefined) {
      const problem = poolNameProblem(name);
      if (problem !== null) validator.report('name', `${problem}, got "${name}"`);
    }
    validator.throwIfInvalid();

    this.resource = new VcsAgentPoolResource(this, 'Resource', {
      name: props.name,
      spaceId: props.space?.spaceId ?? Space.ROOT_SPACE_ID,
      description: props.description,
      provider: props.provider,
    });
    this.poolId = this.resource.id;
    this.name = props.name;
    this.apiHost = `private://${props.name}`;
    this.token = this.resource.token;
  }
}
