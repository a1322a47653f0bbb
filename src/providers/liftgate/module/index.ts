// https://registry.terraform.io/providers/liftgate/liftgate/0.1.0/docs/resources/module
// generated from terraform resource schema

import { Construct } from 'constructs';
import * as cdktf from 'cdktf';

// Configuration

export interface ModuleConfig extends cdktf.TerraformMetaArguments {
  /**
  * The branch the module is developed on. Defaults to `main`.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/liftgate/liftgate/0.1.0/docs/resources/module#branch Module#branch}
  */
  readonly branch?: string;
  /**
  * What the module is for.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/liftgate/liftgate/0.1.0/docs/resources/module#description Module#description}
  */
  readonly description?: string;
  /**
  * The Bitbucket Data Center integration its tags arrive through; unset means the default integration. Same rules as for stacks.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/liftgate/liftgate/0.1.0/docs/resources/module#integration_id Module#integration_id}
  */
  readonly integrationId?: string;
  /**
  * Labels of the module.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/liftgate/liftgate/0.1.0/docs/resources/module#labels Module#labels}
  */
  readonly labels?: string[];
  /**
  * The module's name: the third part of its registry source `<host>/<space_id>/<name>/<terraform_provider>`. Changing it destroys and re-creates the object: the name is part of the registry address, which the control plane keeps immutable.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/liftgate/liftgate/0.1.0/docs/resources/module#name Module#name}
  */
  readonly name: string;
  /**
  * The Bitbucket project key of the repository.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/liftgate/liftgate/0.1.0/docs/resources/module#project_key Module#project_key}
  */
  readonly projectKey: string;
  /**
  * The directory of the module inside the repository ("" for its root); a tag publishes only this directory.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/liftgate/liftgate/0.1.0/docs/resources/module#project_root Module#project_root}
  */
  readonly projectRoot?: string;
  /**
  * The repository's slug.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/liftgate/liftgate/0.1.0/docs/resources/module#repository_slug Module#repository_slug}
  */
  readonly repositorySlug: string;
  /**
  * The space the module belongs to: API keys with read on it (or on a space inheriting from it) may use the module. Defaults to `root`.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/liftgate/liftgate/0.1.0/docs/resources/module#space_id Module#space_id}
  */
  readonly spaceId?: string;
  /**
  * The main provider the module is written for (`aws`, `azurerm`, …): the last part of its registry source. Changing it destroys and re-creates the object: the provider is part of the registry address, which the control plane keeps immutable.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/liftgate/liftgate/0.1.0/docs/resources/module#terraform_provider Module#terraform_provider}
  */
  readonly terraformProvider: string;
}

/**
* Represents a {@link https://registry.terraform.io/providers/liftgate/liftgate/0.1.0/docs/resources/module liftgate_module}
*/
export class Module extends cdktf.TerraformResource {

  // =================
  // STATIC PROPERTIES
  // =================
  public static readonly tfResourceType = "liftgate_module";

  // ==============
  // STATIC Methods
  // ==============
  /**
  * Generates CDKTF code for importing a Module resource upon running "cdktf plan <stack-name>"
  * @param scope The scope in which to define this construct
  * @param importToId The construct id used in the generated config for the Module to import
  * @param importFromId The id of the existing Module that should be imported. Refer to the {@link https://registry.terraform.io/providers/liftgate/liftgate/0.1.0/docs/resources/module#import import section} in the documentation of this resource for the id to use
  * @param provider? Optional instance of the provider where the Module to import is found
  */
  public static generateConfigForImport(scope: Construct, importToId: string, importFromId: string, provider?: cdktf.TerraformProvider) {
        return new cdktf.ImportableResource(scope, importToId, { terraformResourceType: "liftgate_module", importId: importFromId, provider });
      }

  // ===========
  // INITIALIZER
  // ===========

  /**
  * Create a new {@link https://registry.terraform.io/providers/liftgate/liftgate/0.1.0/docs/resources/module liftgate_module} Resource
  *
  * @param scope The scope in which to define this construct
  * @param id The scoped construct ID. Must be unique amongst siblings in the same scope
  * @param options ModuleConfig
  */
  public constructor(scope: Construct, id: string, config: ModuleConfig) {
    super(scope, id, {
      terraformResourceType: 'liftgate_module',
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
    this._branch = config.branch;
    this._description = config.description;
    this._integrationId = config.integrationId;
    this._labels = config.labels;
    this._name = config.name;
    this._projectKey = config.projectKey;
    this._projectRoot = config.projectRoot;
    this._repositorySlug = config.repositorySlug;
    this._spaceId = config.spaceId;
    this._terraformProvider = config.terraformProvider;
  }

  // ==========
  // ATTRIBUTES
  // ==========

  // branch - computed: true, optional: true, required: false
  private _branch?: string; 
  public get branch() {
    return this.getStringAttribute('branch');
  }
  public set branch(value: string) {
    this._branch = value;
  }
  public resetBranch() {
    this._branch = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get branchInput() {
    return this._branch;
  }

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
    return cdktf.Fn.tolist(this.getListAttribute('labels'));
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

  // terraform_provider - computed: false, optional: false, required: true
  private _terraformProvider?: string; 
  public get terraformProvider() {
    return this.getStringAttribute('terraform_provider');
  }
  public set terraformProvider(value: string) {
    this._terraformProvider = value;
  }
  // Temporarily expose input value. Use with caution.
  public get terraformProviderInput() {
    return this._terraformProvider;
  }

  // =========
  // SYNTHESIS
  // =========

  protected override synthesizeAttributes(): { [name: string]: any } {
    return {
      branch: cdktf.stringToTerraform(this._branch),
      description: cdktf.stringToTerraform(this._description),
      integration_id: cdktf.stringToTerraform(this._integrationId),
      labels: cdktf.listMapper(cdktf.stringToTerraform, false)(this._labels),
      name: cdktf.stringToTerraform(this._name),
      project_key: cdktf.stringToTerraform(this._projectKey),
      project_root: cdktf.stringToTerraform(this._projectRoot),
      repository_slug: cdktf.stringToTerraform(this._repositorySlug),
      space_id: cdktf.stringToTerraform(this._spaceId),
      terraform_provider: cdktf.stringToTerraform(this._terraformProvider),
    };
  }

  protected override synthesizeHclAttributes(): { [name: string]: any } {
    const attrs = {
      branch: {
        value: cdktf.stringToHclTerraform(this._branch),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      description: {
        value: cdktf.stringToHclTerraform(this._description),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      integration_id: {
        value: cdktf.stringToHclTerraform(this._integrationId),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      labels: {
        value: cdktf.listMapperHcl(cdktf.stringToHclTerraform, false)(this._labels),
        isBlock: false,
        type: "set",
        storageClassType: "stringList",
      },
      name: {
        value: cdktf.stringToHclTerraform(this._name),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      project_key: {
        value: cdktf.stringToHclTerraform(this._projectKey),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      project_root: {
        value: cdktf.stringToHclTerraform(this._projectRoot),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      repository_slug: {
        value: cdktf.stringToHclTerraform(this._repositorySlug),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      space_id: {
        value: cdktf.stringToHclTerraform(this._spaceId),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      terraform_provider: {
        value: cdktf.stringToHclTerraform(this._terraformProvider),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
    };

    // remove undefined attributes
    return Object.fromEntries(Object.entries(attrs).filter(([_, value]) => value !== undefined && value.value !== undefined ))
  }
}
