// https://registry.terraform.io/providers/liftgate/liftgate/0.1.0/docs/resources/stack
// generated from terraform resource schema

import { Construct } from 'constructs';
import * as cdktn from 'cdktn';

// Configuration

export interface StackConfig extends cdktn.TerraformMetaArguments {
  /**
  * Whether tracked runs apply without confirmation.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/liftgate/liftgate/0.1.0/docs/resources/stack#autodeploy Stack#autodeploy}
  */
  readonly autodeploy?: boolean | cdktn.IResolvable;
  /**
  * The tracked branch: pushes to it start tracked runs.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/liftgate/liftgate/0.1.0/docs/resources/stack#branch Stack#branch}
  */
  readonly branch: string;
  /**
  * The Bitbucket Data Center integration the stack uses; unset means the default integration. It must be the default integration, one of the stack's space, or one of a space the stack's space inherits entities from.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/liftgate/liftgate/0.1.0/docs/resources/stack#integration_id Stack#integration_id}
  */
  readonly integrationId?: string;
  /**
  * Labels of the stack.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/liftgate/liftgate/0.1.0/docs/resources/stack#labels Stack#labels}
  */
  readonly labels?: string[];
  /**
  * Whether the control plane holds the stack's Terraform state (runs use its http backend). False: the stack's code brings its own backend. Turning it off keeps the stored state and its versions.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/liftgate/liftgate/0.1.0/docs/resources/stack#manage_state Stack#manage_state}
  */
  readonly manageState?: boolean | cdktn.IResolvable;
  /**
  * The stack's name.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/liftgate/liftgate/0.1.0/docs/resources/stack#name Stack#name}
  */
  readonly name: string;
  /**
  * The Bitbucket project key of the repository.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/liftgate/liftgate/0.1.0/docs/resources/stack#project_key Stack#project_key}
  */
  readonly projectKey: string;
  /**
  * The directory of the project inside the repository ("" for its root).
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/liftgate/liftgate/0.1.0/docs/resources/stack#project_root Stack#project_root}
  */
  readonly projectRoot?: string;
  /**
  * The repository's slug.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/liftgate/liftgate/0.1.0/docs/resources/stack#repository_slug Stack#repository_slug}
  */
  readonly repositorySlug: string;
  /**
  * The space the stack belongs to. Defaults to `root`.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/liftgate/liftgate/0.1.0/docs/resources/stack#space_id Stack#space_id}
  */
  readonly spaceId?: string;
}

/**
* Represents a {@link https://registry.terraform.io/providers/liftgate/liftgate/0.1.0/docs/resources/stack liftgate_stack}
*/
export class Stack extends cdktn.TerraformResource {

  // =================
  // STATIC PROPERTIES
  // =================
  public static readonly tfResourceType = "liftgate_stack";

  // ==============
  // STATIC Methods
  // ==============
  /**
  * Generates CDKTN code for importing a Stack resource upon running "cdktn plan <stack-name>"
  * @param scope The scope in which to define this construct
  * @param importToId The construct id used in the generated config for the Stack to import
  * @param importFromId The id of the existing Stack that should be imported. Refer to the {@link https://registry.terraform.io/providers/liftgate/liftgate/0.1.0/docs/resources/stack#import import section} in the documentation of this resource for the id to use
  * @param provider? Optional instance of the provider where the Stack to import is found
  */
  public static generateConfigForImport(scope: Construct, importToId: string, importFromId: string, provider?: cdktn.TerraformProvider) {
        return new cdktn.ImportableResource(scope, importToId, { terraformResourceType: "liftgate_stack", importId: importFromId, provider });
      }

  // ===========
  // INITIALIZER
  // ===========

  /**
  * Create a new {@link https://registry.terraform.io/providers/liftgate/liftgate/0.1.0/docs/resources/stack liftgate_stack} Resource
  *
  * @param scope The scope in which to define this construct
  * @param id The scoped construct ID. Must be unique amongst siblings in the same scope
  * @param options StackConfig
  */
  public constructor(scope: Construct, id: string, config: StackConfig) {
    super(scope, id, {
      terraformResourceType: 'liftgate_stack',
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
    this._autodeploy = config.autodeploy;
    this._branch = config.branch;
    this._integrationId = config.integrationId;
    this._labels = config.labels;
    this._manageState = config.manageState;
    this._name = config.name;
    this._projectKey = config.projectKey;
    this._projectRoot = config.projectRoot;
    this._repositorySlug = config.repositorySlug;
    this._spaceId = config.spaceId;
  }

  // ==========
  // ATTRIBUTES
  // ==========

  // autodeploy - computed: true, optional: true, required: false
  private _autodeploy?: boolean | cdktn.IResolvable; 
  public get autodeploy() {
    return this.getBooleanAttribute('autodeploy');
  }
  public set autodeploy(value: boolean | cdktn.IResolvable) {
    this._autodeploy = value;
  }
  public resetAutodeploy() {
    this._autodeploy = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get autodeployInput() {
    return this._autodeploy;
  }

  // branch - computed: false, optional: false, required: true
  private _branch?: string; 
  public get branch() {
    return this.getStringAttribute('branch');
  }
  public set branch(value: string) {
    this._branch = value;
  }
  // Temporarily expose input value. Use with caution.
  public get branchInput() {
    return this._branch;
  }

  // detached - computed: true, optional: false, required: false
  public get detached() {
    return this.getBooleanAttribute('detached');
  }

  // id - computed: true, optional: false, required: false
  public get id() {
    return this.getStringAttribute('id');
  }

  // integration_id - computed: false, optional: true, required: false
  private _integrationId?: string; 
  public get integrationId() {
    return this.getStringAttribute('integration_id');
  }
  public set integrationId(value: string) {
    this._integrationId = value;
  }
  public resetIntegrationId() {
    this._integrationId = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get integrationIdInput() {
    return this._integrationId;
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

  // manage_state - computed: true, optional: true, required: false
  private _manageState?: boolean | cdktn.IResolvable; 
  public get manageState() {
    return this.getBooleanAttribute('manage_state');
  }
  public set manageState(value: boolean | cdktn.IResolvable) {
    this._manageState = value;
  }
  public resetManageState() {
    this._manageState = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get manageStateInput() {
    return this._manageState;
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

  // project_key - computed: false, optional: false, required: true
  private _projectKey?: string; 
  public get projectKey() {
    return this.getStringAttribute('project_key');
  }
  public set projectKey(value: string) {
    this._projectKey = value;
  }
  // Temporarily expose input value. Use with caution.
  public get projectKeyInput() {
    return this._projectKey;
  }

  // project_root - computed: true, optional: true, required: false
  private _projectRoot?: string; 
  public get projectRoot() {
    return this.getStringAttribute('project_root');
  }
  public set projectRoot(value: string) {
    this._projectRoot = value;
  }
  public resetProjectRoot() {
    this._projectRoot = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get projectRootInput() {
    return this._projectRoot;
  }

  // repository_slug - computed: false, optional: false, required: true
  private _repositorySlug?: string; 
  public get repositorySlug() {
    return this.getStringAttribute('repository_slug');
  }
  public set repositorySlug(value: string) {
    this._repositorySlug = value;
  }
  // Temporarily expose input value. Use with caution.
  public get repositorySlugInput() {
    return this._repositorySlug;
  }

  // space_id - computed: true, optional: true, required: false
  private _spaceId?: string; 
  public get spaceId() {
    return this.getStringAttribute('space_id');
  }
  public set spaceId(value: string) {
    this._spaceId = value;
  }
  public resetSpaceId() {
    this._spaceId = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get spaceIdInput() {
    return this._spaceId;
  }

  // =========
  // SYNTHESIS
  // =========

  protected override synthesizeAttributes(): { [name: string]: any } {
    return {
      autodeploy: cdktn.booleanToTerraform(this._autodeploy),
      branch: cdktn.stringToTerraform(this._branch),
      integration_id: cdktn.stringToTerraform(this._integrationId),
      labels: cdktn.listMapper(cdktn.stringToTerraform, false)(this._labels),
      manage_state: cdktn.booleanToTerraform(this._manageState),
      name: cdktn.stringToTerraform(this._name),
      project_key: cdktn.stringToTerraform(this._projectKey),
      project_root: cdktn.stringToTerraform(this._projectRoot),
      repository_slug: cdktn.stringToTerraform(this._repositorySlug),
      space_id: cdktn.stringToTerraform(this._spaceId),
    };
  }

  protected override synthesizeHclAttributes(): { [name: string]: any } {
    const attrs = {
      autodeploy: {
        value: cdktn.booleanToHclTerraform(this._autodeploy),
        isBlock: false,
        type: "simple",
        storageClassType: "boolean",
      },
      branch: {
        value: cdktn.stringToHclTerraform(this._branch),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      integration_id: {
        value: cdktn.stringToHclTerraform(this._integrationId),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      labels: {
        value: cdktn.listMapperHcl(cdktn.stringToHclTerraform, false)(this._labels),
        isBlock: false,
        type: "set",
        storageClassType: "stringList",
      },
      manage_state: {
        value: cdktn.booleanToHclTerraform(this._manageState),
        isBlock: false,
        type: "simple",
        storageClassType: "boolean",
      },
      name: {
        value: cdktn.stringToHclTerraform(this._name),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      project_key: {
        value: cdktn.stringToHclTerraform(this._projectKey),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      project_root: {
        value: cdktn.stringToHclTerraform(this._projectRoot),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      repository_slug: {
        value: cdktn.stringToHclTerraform(this._repositorySlug),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      space_id: {
        value: cdktn.stringToHclTerraform(this._spaceId),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
    };

    // remove undefined attributes
    return Object.fromEntries(Object.entries(attrs).filter(([_, value]) => value !== undefined && value.value !== undefined ))
  }
}
