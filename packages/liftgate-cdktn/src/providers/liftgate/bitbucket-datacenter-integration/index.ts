// https://registry.terraform.io/providers/liftgate/liftgate/0.1.0/docs/resources/bitbucket_datacenter_integration
// generated from terraform resource schema

import { Construct } from 'constructs';
import * as cdktn from 'cdktn';

// Configuration

export interface BitbucketDatacenterIntegrationConfig extends cdktn.TerraformMetaArguments {
  /**
  * The Bitbucket HTTP access token (kept in state, marked sensitive). Set this or access_token_wo.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/liftgate/liftgate/0.1.0/docs/resources/bitbucket_datacenter_integration#access_token BitbucketDatacenterIntegration#access_token}
  */
  readonly accessToken?: string;
  /**
  * The Bitbucket HTTP access token, write-only: sent to the control plane, never stored in state. Needs access_token_wo_version.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/liftgate/liftgate/0.1.0/docs/resources/bitbucket_datacenter_integration#access_token_wo BitbucketDatacenterIntegration#access_token_wo}
  */
  readonly accessTokenWo?: string;
  /**
  * Change this number to send access_token_wo again (rotate the token); Terraform cannot see a write-only value change.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/liftgate/liftgate/0.1.0/docs/resources/bitbucket_datacenter_integration#access_token_wo_version BitbucketDatacenterIntegration#access_token_wo_version}
  */
  readonly accessTokenWoVersion?: number;
  /**
  * The URL the control plane calls: https://…, private://<vcs-agent-pool>, or http:// on a loopback host.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/liftgate/liftgate/0.1.0/docs/resources/bitbucket_datacenter_integration#api_host BitbucketDatacenterIntegration#api_host}
  */
  readonly apiHost: string;
  /**
  * A description (markdown).
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/liftgate/liftgate/0.1.0/docs/resources/bitbucket_datacenter_integration#description BitbucketDatacenterIntegration#description}
  */
  readonly description?: string;
  /**
  * Whether this is the account's default Bitbucket Data Center integration (at most one; it lives in `root` and every stack may use it). Changing it destroys and re-creates the object: the control plane keeps is_default immutable. The default integration is replaced destroy-first, since only one may exist.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/liftgate/liftgate/0.1.0/docs/resources/bitbucket_datacenter_integration#is_default BitbucketDatacenterIntegration#is_default}
  */
  readonly isDefault?: boolean | cdktn.IResolvable;
  /**
  * Labels of the integration.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/liftgate/liftgate/0.1.0/docs/resources/bitbucket_datacenter_integration#labels BitbucketDatacenterIntegration#labels}
  */
  readonly labels?: string[];
  /**
  * The integration's friendly name, unique per account. Its id and webhook URL derive from it. Changing it destroys and re-creates the object: the control plane keeps names immutable (the id and the webhook URL derive from the name), so a rename creates a new integration.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/liftgate/liftgate/0.1.0/docs/resources/bitbucket_datacenter_integration#name BitbucketDatacenterIntegration#name}
  */
  readonly name: string;
  /**
  * The space of a space-level integration; stacks in it and in descendants that inherit entities may use it. Must be `root` (the default) for the default integration.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/liftgate/liftgate/0.1.0/docs/resources/bitbucket_datacenter_integration#space_id BitbucketDatacenterIntegration#space_id}
  */
  readonly spaceId?: string;
  /**
  * The URL shown to people. Defaults to api_host when that is a direct URL.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/liftgate/liftgate/0.1.0/docs/resources/bitbucket_datacenter_integration#user_facing_host BitbucketDatacenterIntegration#user_facing_host}
  */
  readonly userFacingHost?: string;
  /**
  * The Bitbucket user the access token belongs to.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/liftgate/liftgate/0.1.0/docs/resources/bitbucket_datacenter_integration#username BitbucketDatacenterIntegration#username}
  */
  readonly username: string;
}

/**
* Represents a {@link https://registry.terraform.io/providers/liftgate/liftgate/0.1.0/docs/resources/bitbucket_datacenter_integration liftgate_bitbucket_datacenter_integration}
*/
export class BitbucketDatacenterIntegration extends cdktn.TerraformResource {

  // =================
  // STATIC PROPERTIES
  // =================
  public static readonly tfResourceType = "liftgate_bitbucket_datacenter_integration";

  // ==============
  // STATIC Methods
  // ==============
  /**
  * Generates CDKTN code for importing a BitbucketDatacenterIntegration resource upon running "cdktn plan <stack-name>"
  * @param scope The scope in which to define this construct
  * @param importToId The construct id used in the generated config for the BitbucketDatacenterIntegration to import
  * @param importFromId The id of the existing BitbucketDatacenterIntegration that should be imported. Refer to the {@link https://registry.terraform.io/providers/liftgate/liftgate/0.1.0/docs/resources/bitbucket_datacenter_integration#import import section} in the documentation of this resource for the id to use
  * @param provider? Optional instance of the provider where the BitbucketDatacenterIntegration to import is found
  */
  public static generateConfigForImport(scope: Construct, importToId: string, importFromId: string, provider?: cdktn.TerraformProvider) {
        return new cdktn.ImportableResource(scope, importToId, { terraformResourceType: "liftgate_bitbucket_datacenter_integration", importId: importFromId, provider });
      }

  // ===========
  // INITIALIZER
  // ===========

  /**
  * Create a new {@link https://registry.terraform.io/providers/liftgate/liftgate/0.1.0/docs/resources/bitbucket_datacenter_integration liftgate_bitbucket_datacenter_integration} Resource
  *
  * @param scope The scope in which to define this construct
  * @param id The scoped construct ID. Must be unique amongst siblings in the same scope
  * @param options BitbucketDatacenterIntegrationConfig
  */
  public constructor(scope: Construct, id: string, config: BitbucketDatacenterIntegrationConfig) {
    super(scope, id, {
      terraformResourceType: 'liftgate_bitbucket_datacenter_integration',
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
    this._accessToken = config.accessToken;
    this._accessTokenWo = config.accessTokenWo;
    this._accessTokenWoVersion = config.accessTokenWoVersion;
    this._apiHost = config.apiHost;
    this._description = config.description;
    this._isDefault = config.isDefault;
    this._labels = config.labels;
    this._name = config.name;
    this._spaceId = config.spaceId;
    this._userFacingHost = config.userFacingHost;
    this._username = config.username;
  }

  // ==========
  // ATTRIBUTES
  // ==========

  // access_token - computed: false, optional: true, required: false
  private _accessToken?: string; 
  public get accessToken() {
    return this.getStringAttribute('access_token');
  }
  public set accessToken(value: string) {
    this._accessToken = value;
  }
  public resetAccessToken() {
    this._accessToken = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get accessTokenInput() {
    return this._accessToken;
  }

  // access_token_wo - computed: false, optional: true, required: false
  private _accessTokenWo?: string; 
  /**
  * @deprecated Write-only: the provider never returns this value; reading it always yields null by protocol contract. The getter remains for compatibility and will be removed in a future prebuilt-provider major.
  */
  public get accessTokenWo() {
    return this.getStringAttribute('access_token_wo');
  }
  public set accessTokenWo(value: string) {
    this._accessTokenWo = value;
  }
  public resetAccessTokenWo() {
    this._accessTokenWo = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get accessTokenWoInput() {
    return this._accessTokenWo;
  }

  // access_token_wo_version - computed: false, optional: true, required: false
  private _accessTokenWoVersion?: number; 
  public get accessTokenWoVersion() {
    return this.getNumberAttribute('access_token_wo_version');
  }
  public set accessTokenWoVersion(value: number) {
    this._accessTokenWoVersion = value;
  }
  public resetAccessTokenWoVersion() {
    this._accessTokenWoVersion = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get accessTokenWoVersionInput() {
    return this._accessTokenWoVersion;
  }

  // api_host - computed: false, optional: false, required: true
  private _apiHost?: string; 
  public get apiHost() {
    return this.getStringAttribute('api_host');
  }
  public set apiHost(value: string) {
    this._apiHost = value;
  }
  // Temporarily expose input value. Use with caution.
  public get apiHostInput() {
    return this._apiHost;
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

  // id - computed: true, optional: false, required: false
  public get id() {
    return this.getStringAttribute('id');
  }

  // is_default - computed: true, optional: true, required: false
  private _isDefault?: boolean | cdktn.IResolvable; 
  public get isDefault() {
    return this.getBooleanAttribute('is_default');
  }
  public set isDefault(value: boolean | cdktn.IResolvable) {
    this._isDefault = value;
  }
  public resetIsDefault() {
    this._isDefault = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get isDefaultInput() {
    return this._isDefault;
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

  // user_facing_host - computed: true, optional: true, required: false
  private _userFacingHost?: string; 
  public get userFacingHost() {
    return this.getStringAttribute('user_facing_host');
  }
  public set userFacingHost(value: string) {
    this._userFacingHost = value;
  }
  public resetUserFacingHost() {
    this._userFacingHost = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get userFacingHostInput() {
    return this._userFacingHost;
  }

  // username - computed: false, optional: false, required: true
  private _username?: string; 
  public get username() {
    return this.getStringAttribute('username');
  }
  public set username(value: string) {
    this._username = value;
  }
  // Temporarily expose input value. Use with caution.
  public get usernameInput() {
    return this._username;
  }

  // webhook_secret - computed: true, optional: false, required: false
  public get webhookSecret() {
    return this.getStringAttribute('webhook_secret');
  }

  // webhook_url - computed: true, optional: false, required: false
  public get webhookUrl() {
    return this.getStringAttribute('webhook_url');
  }

  // =========
  // SYNTHESIS
  // =========

  protected override synthesizeAttributes(): { [name: string]: any } {
    return {
      access_token: cdktn.stringToTerraform(this._accessToken),
      access_token_wo: this.markWriteOnlyAttribute(cdktn.stringToTerraform(this._accessTokenWo)),
      access_token_wo_version: cdktn.numberToTerraform(this._accessTokenWoVersion),
      api_host: cdktn.stringToTerraform(this._apiHost),
      description: cdktn.stringToTerraform(this._description),
      is_default: cdktn.booleanToTerraform(this._isDefault),
      labels: cdktn.listMapper(cdktn.stringToTerraform, false)(this._labels),
      name: cdktn.stringToTerraform(this._name),
      space_id: cdktn.stringToTerraform(this._spaceId),
      user_facing_host: cdktn.stringToTerraform(this._userFacingHost),
      username: cdktn.stringToTerraform(this._username),
    };
  }

  protected override synthesizeHclAttributes(): { [name: string]: any } {
    const attrs = {
      access_token: {
        value: cdktn.stringToHclTerraform(this._accessToken),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      access_token_wo: {
        value: this.markWriteOnlyAttribute(cdktn.stringToHclTerraform(this._accessTokenWo)),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      access_token_wo_version: {
        value: cdktn.numberToHclTerraform(this._accessTokenWoVersion),
        isBlock: false,
        type: "simple",
        storageClassType: "number",
      },
      api_host: {
        value: cdktn.stringToHclTerraform(this._apiHost),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      description: {
        value: cdktn.stringToHclTerraform(this._description),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      is_default: {
        value: cdktn.booleanToHclTerraform(this._isDefault),
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
      space_id: {
        value: cdktn.stringToHclTerraform(this._spaceId),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      user_facing_host: {
        value: cdktn.stringToHclTerraform(this._userFacingHost),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      username: {
        value: cdktn.stringToHclTerraform(this._username),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
    };

    // remove undefined attributes
    return Object.fromEntries(Object.entries(attrs).filter(([_, value]) => value !== undefined && value.value !== undefined ))
  }
}
