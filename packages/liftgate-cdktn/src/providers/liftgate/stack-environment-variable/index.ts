// https://registry.terraform.io/providers/liftgate/liftgate/0.1.0/docs/resources/stack_environment_variable
// generated from terraform resource schema

import { Construct } from 'constructs';
import * as cdktn from 'cdktn';

// Configuration

export interface StackEnvironmentVariableConfig extends cdktn.TerraformMetaArguments {
  /**
  * The variable's name. Names the worker sets itself or that change how Terraform runs are refused: TF_HTTP_*, LIFTGATE_*, PATH, HOME, TF_IN_AUTOMATION, TF_INPUT, CHECKPOINT_DISABLE, TF_CLI_CONFIG_FILE, TF_CLI_ARGS*, TF_WORKSPACE, TF_LOG*, TF_REATTACH_PROVIDERS, TF_APPEND_USER_AGENT. Changing it destroys and re-creates the object: the name identifies the variable; a rename deletes the old one and creates the new one.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/liftgate/liftgate/0.1.0/docs/resources/stack_environment_variable#name StackEnvironmentVariable#name}
  */
  readonly name: string;
  /**
  * Whether the value is secret: encrypted at rest, never returned by the API, and masked as *** in run logs.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/liftgate/liftgate/0.1.0/docs/resources/stack_environment_variable#secret StackEnvironmentVariable#secret}
  */
  readonly secret?: boolean | cdktn.IResolvable;
  /**
  * The stack whose runs get the variable. Changing it destroys and re-creates the object: a variable belongs to one stack.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/liftgate/liftgate/0.1.0/docs/resources/stack_environment_variable#stack_id StackEnvironmentVariable#stack_id}
  */
  readonly stackId: string;
  /**
  * The variable's value (at most 64 KiB). Marked sensitive in plans and state. The control plane never returns a secret value, so a change made to a secret variable outside Terraform is not seen.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/liftgate/liftgate/0.1.0/docs/resources/stack_environment_variable#value StackEnvironmentVariable#value}
  */
  readonly value: string;
}

/**
* Represents a {@link https://registry.terraform.io/providers/liftgate/liftgate/0.1.0/docs/resources/stack_environment_variable liftgate_stack_environment_variable}
*/
export class StackEnvironmentVariable extends cdktn.TerraformResource {

  // =================
  // STATIC PROPERTIES
  // =================
  public static readonly tfResourceType = "liftgate_stack_environment_variable";

  // ==============
  // STATIC Methods
  // ==============
  /**
  * Generates CDKTN code for importing a StackEnvironmentVariable resource upon running "cdktn plan <stack-name>"
  * @param scope The scope in which to define this construct
  * @param importToId The construct id used in the generated config for the StackEnvironmentVariable to import
  * @param importFromId The id of the existing StackEnvironmentVariable that should be imported. Refer to the {@link https://registry.terraform.io/providers/liftgate/liftgate/0.1.0/docs/resources/stack_environment_variable#import import section} in the documentation of this resource for the id to use
  * @param provider? Optional instance of the provider where the StackEnvironmentVariable to import is found
  */
  public static generateConfigForImport(scope: Construct, importToId: string, importFromId: string, provider?: cdktn.TerraformProvider) {
        return new cdktn.ImportableResource(scope, importToId, { terraformResourceType: "liftgate_stack_environment_variable", importId: importFromId, provider });
      }

  // ===========
  // INITIALIZER
  // ===========

  /**
  * Create a new {@link https://registry.terraform.io/providers/liftgate/liftgate/0.1.0/docs/resources/stack_environment_variable liftgate_stack_environment_variable} Resource
  *
  * @param scope The scope in which to define this construct
  * @param id The scoped construct ID. Must be unique amongst siblings in the same scope
  * @param options StackEnvironmentVariableConfig
  */
  public constructor(scope: Construct, id: string, config: StackEnvironmentVariableConfig) {
    super(scope, id, {
      terraformResourceType: 'liftgate_stack_environment_variable',
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
    this._name = config.name;
    this._secret = config.secret;
    this._stackId = config.stackId;
    this._value = config.value;
  }

  // ==========
  // ATTRIBUTES
  // ==========

  // id - computed: true, optional: false, required: false
  public get id() {
    return this.getStringAttribute('id');
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

  // secret - computed: true, optional: true, required: false
  private _secret?: boolean | cdktn.IResolvable; 
  public get secret() {
    return this.getBooleanAttribute('secret');
  }
  public set secret(value: boolean | cdktn.IResolvable) {
    this._secret = value;
  }
  public resetSecret() {
    this._secret = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get secretInput() {
    return this._secret;
  }

  // stack_id - computed: false, optional: false, required: true
  private _stackId?: string; 
  public get stackId() {
    return this.getStringAttribute('stack_id');
  }
  public set stackId(value: string) {
    this._stackId = value;
  }
  // Temporarily expose input value. Use with caution.
  public get stackIdInput() {
    return this._stackId;
  }

  // value - computed: false, optional: false, required: true
  private _value?: string; 
  public get value() {
    return this.getStringAttribute('value');
  }
  public set value(value: string) {
    this._value = value;
  }
  // Temporarily expose input value. Use with caution.
  public get valueInput() {
    return this._value;
  }

  // =========
  // SYNTHESIS
  // =========

  protected override synthesizeAttributes(): { [name: string]: any } {
    return {
      name: cdktn.stringToTerraform(this._name),
      secret: cdktn.booleanToTerraform(this._secret),
      stack_id: cdktn.stringToTerraform(this._stackId),
      value: cdktn.stringToTerraform(this._value),
    };
  }

  protected override synthesizeHclAttributes(): { [name: string]: any } {
    const attrs = {
      name: {
        value: cdktn.stringToHclTerraform(this._name),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      secret: {
        value: cdktn.booleanToHclTerraform(this._secret),
        isBlock: false,
        type: "simple",
        storageClassType: "boolean",
      },
      stack_id: {
        value: cdktn.stringToHclTerraform(this._stackId),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      value: {
        value: cdktn.stringToHclTerraform(this._value),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
    };

    // remove undefined attributes
    return Object.fromEntries(Object.entries(attrs).filter(([_, value]) => value !== undefined && value.value !== undefined ))
  }
}
