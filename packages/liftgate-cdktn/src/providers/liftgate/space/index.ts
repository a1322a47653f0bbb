// https://registry.terraform.io/providers/liftgate/liftgate/0.1.0/docs/resources/space
// generated from terraform resource schema

import { Construct } from 'constructs';
import * as cdktn from 'cdktn';

// Configuration

export interface SpaceConfig extends cdktn.TerraformMetaArguments {
  /**
  * A description (markdown).
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/liftgate/liftgate/0.1.0/docs/resources/space#description Space#description}
  */
  readonly description?: string;
  /**
  * Whether stacks in this space may use the integrations of the parent space (and of its ancestors while each link inherits).
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/liftgate/liftgate/0.1.0/docs/resources/space#inherit_entities Space#inherit_entities}
  */
  readonly inheritEntities?: boolean | cdktn.IResolvable;
  /**
  * Labels of the space.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/liftgate/liftgate/0.1.0/docs/resources/space#labels Space#labels}
  */
  readonly labels?: string[];
  /**
  * The space's name.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/liftgate/liftgate/0.1.0/docs/resources/space#name Space#name}
  */
  readonly name: string;
  /**
  * The parent space. Defaults to `root`. Changing it destroys and re-creates the object: a space cannot be moved to another parent.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/liftgate/liftgate/0.1.0/docs/resources/space#parent_space_id Space#parent_space_id}
  */
  readonly parentSpaceId?: string;
}

/**
* Represents a {@link https://registry.terraform.io/providers/liftgate/liftgate/0.1.0/docs/resources/space liftgate_space}
*/
export class Space extends cdktn.TerraformResource {

  // =================
  // STATIC PROPERTIES
  // =================
  public static readonly tfResourceType = "liftgate_space";

  // ==============
  // STATIC Methods
  // ==============
  /**
  * Generates CDKTN code for importing a Space resource upon running "cdktn plan <stack-name>"
  * @param scope The scope in which to define this construct
  * @param importToId The construct id used in the generated config for the Space to import
  * @param importFromId The id of the existing Space that should be imported. Refer to the {@link https://registry.terraform.io/providers/liftgate/liftgate/0.1.0/docs/resources/space#import import section} in the documentation of this resource for the id to use
  * @param provider? Optional instance of the provider where the Space to import is found
  */
  public static generateConfigForImport(scope: Construct, importToId: string, importFromId: string, provider?: cdktn.TerraformProvider) {
        return new cdktn.ImportableResource(scope, importToId, { terraformResourceType: "liftgate_space", importId: importFromId, provider });
      }

  // ===========
  // INITIALIZER
  // ===========

  /**
  * Create a new {@link https://registry.terraform.io/providers/liftgate/liftgate/0.1.0/docs/resources/space liftgate_space} Resource
  *
  * @param scope The scope in which to define this construct
  * @param id The scoped construct ID. Must be unique amongst siblings in the same scope
  * @param options SpaceConfig
  */
  public constructor(scope: Construct, id: string, config: SpaceConfig) {
    super(scope, id, {
      terraformResourceType: 'liftgate_space',
      terraformGeneratorMetadata: {
        providerName: 'liftgate',
        providerVersion: '0.1.0'
      },
      provider: config.provider,
      dependsOn: config.dependsOn,
      count: config.count,
      lifecycle: config.lifecycle,
      provisioners: config.provisioners,
      connection: config.connection,
      forEach: config.forEach
    });
    this._description = config.description;
    this._inheritEntities = config.inheritEntities;
    this._labels = config.labels;
    this._name = config.name;
    this._parentSpaceId = config.parentSpaceId;
  }

  // ==========
  // ATTRIBUTES
  // ==========

  // description - computed: true, optional: true, required: false
  private _description?: string; 
  public get description() {
    return this.getStringAttribute('description');
  }
  public set description(value: string) {
    this._description = value;
  }
  public resetDescription() {
    this._description = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get descriptionInput() {
    return this._description;
  }

  // id - computed: true, optional: false, required: false
  public get id() {
    return this.getStringAttribute('id');
  }

  // inherit_entities - computed: true, optional: true, required: false
  private _inheritEntities?: boolean | cdktn.IResolvable; 
  public get inheritEntities() {
    return this.getBooleanAttribute('inherit_entities');
  }
  public set inheritEntities(value: boolean | cdktn.IResolvable) {
    this._inheritEntities = value;
  }
  public resetInheritEntities() {
    this._inheritEntities = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get inheritEntitiesInput() {
    return this._inheritEntities;
  }

  // labels - computed: true, optional: true, required: false
  private _labels?: string[]; 
  public get labels() {
    return cdktn.Fn.tolist(this.getListAttribute('labels'));
  }
  public set labels(value: string[]) {
    this._labels = value;
  }
  public resetLabels() {
    this._labels = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get labelsInput() {
    return this._labels;
  }

  // name - computed: false, optional: false, required: true
  private _name?: string; 
  public get name() {
    return this.getStringAttribute('name');
  }
  public set name(value: string) {
    this._name = value;
  }
  // Temporarily expose input value. Use with caution.
  public get nameInput() {
    return this._name;
  }

  // parent_space_id - computed: true, optional: true, required: false
  private _parentSpaceId?: string; 
  public get parentSpaceId() {
    return this.getStringAttribute('parent_space_id');
  }
  public set parentSpaceId(value: string) {
    this._parentSpaceId = value;
  }
  public resetParentSpaceId() {
    this._parentSpaceId = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get parentSpaceIdInput() {
    return this._parentSpaceId;
  }

  // =========
  // SYNTHESIS
  // =========

  protected override synthesizeAttributes(): { [name: string]: any } {
    return {
      description: cdktn.stringToTerraform(this._description),
      inherit_entities: cdktn.booleanToTerraform(this._inheritEntities),
      labels: cdktn.listMapper(cdktn.stringToTerraform, false)(this._labels),
      name: cdktn.stringToTerraform(this._name),
      parent_space_id: cdktn.stringToTerraform(this._parentSpaceId),
    };
  }

  protected override synthesizeHclAttributes(): { [name: string]: any } {
    const attrs = {
      description: {
        value: cdktn.stringToHclTerraform(this._description),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      inherit_entities: {
        value: cdktn.booleanToHclTerraform(this._inheritEntities),
        isBlock: false,
        type: "simple",
        storageClassType: "boolean",
      },
      labels: {
        value: cdktn.listMapperHcl(cdktn.stringToHclTerraform, false)(this._labels),
        isBlock: false,
        type: "set",
        storageClassType: "stringList",
      },
      name: {
        value: cdktn.stringToHclTerraform(this._name),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      parent_space_id: {
        value: cdktn.stringToHclTerraform(this._parentSpaceId),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
    };

    // remove undefined attributes
    return Object.fromEntries(Object.entries(attrs).filter(([_, value]) => value !== undefined && value.value !== undefined ))
  }
}
