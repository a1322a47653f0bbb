import { TerraformProvider } from 'cdktf';
import { Construct, IConstruct } from 'constructs';
import { Space as SpaceResource } from '../providers/liftgate/space';
import { PropsValidator } from './validation';

/** A Liftgate space: created by a `Space` construct or imported with `Space.fromSpaceId`. */
export interface ISpace extends IConstruct {
  /** The space's id (for a created space, a token resolved at deploy time). */
  readonly spaceId: string;
}

/** Properties of a `Space`. */
export interface SpaceProps {
  /** The space's name, shown in the control plane; its id is derived from it. */
  readonly name: string;
  /**
   * The parent space. Changing it replaces the space (a space cannot move).
   * @default the root space
   */
  readonly parent?: ISpace;
  /**
   * Whether stacks in this space may use the integrations of the parent space (and of its ancestors while
   * each link inherits).
   * @default false: only this space's own integrations and the default integration are usable
   */
  readonly inheritEntities?: boolean;
  /**
   * A markdown description.
   * @default no description
   */
  readonly description?: string;
  /**
   * Labels of the space.
   * @default no labels
   */
  readonly labels?: string[];
  /**
   * The `liftgate` provider to manage the space with.
   * @default the stack's default `liftgate` provider
   */
  readonly provider?: TerraformProvider;
}

class ImportedSpace extends Construct implements ISpace {
  public constructor(scope: Construct, id: string, public readonly spaceId: string) {
    super(scope, id);
  }
}

/**
 * A space of the Liftgate control plane: a node of the tree that scopes integrations, stacks and access.
 * Only an empty space can be deleted, so destroy it together with what it contains.
 */
export class Space extends Construct implements ISpace {
  /** The id of the space that always exists and holds the default integration. */
  public static readonly ROOT_SPACE_ID = 'root';

  /**
   * Refers to a space that exists already (created elsewhere, or the root space), without managing it.
   * @param spaceId the space's id, e.g. `root` or `platform-4f2a`
   */
  public static fromSpaceId(scope: Construct, id: string, spaceId: string): ISpace {
    const imported = new ImportedSpace(scope, id, spaceId);
    const validator = new PropsValidator(imported, 'Space.fromSpaceId');
    validator.requireText('spaceId', spaceId);
    validator.throwIfInvalid();
    return imported;
  }

  /** The space's id (known at deploy time). */
  public readonly spaceId: string;
  /** The space's name. */
  public readonly name: string;
  /** The underlying `liftgate_space` resource, for escape hatches. */
  public readonly resource: SpaceResource;

  public constructor(scope: Construct, id: string, props: SpaceProps) {
    super(scope, id);
    const validator = new PropsValidator(this, 'Space');
    validator.requireText('name', props.name);
    validator.checkLabels('labels', props.labels);
    validator.throwIfInvalid();

    this.resource = new SpaceResource(this, 'Resource', {
      name: props.name,
      parentSpaceId: props.parent?.spaceId ?? Space.ROOT_SPACE_ID,
      inheritEntities: props.inheritEntities ?? false,
      description: props.description,
      labels: props.labels,
      provider: props.provider,
    });
    this.spaceId = this.resource.id;
    this.name = props.name;
  }
}
