// https://registry.terraform.io/providers/liftgate/bitbucketdc/0.1.0/docs
// generated from terraform resource schema

import { Construct } from 'constructs';
import * as cdktn from 'cdktn';

// Configuration

export interface BitbucketdcProviderConfig {
  /**
  * Password (or the user's HTTP access token) for Basic authentication, with `username`. Defaults to the BITBUCKET_PASSWORD environment variable.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/liftgate/bitbucketdc/0.1.0/docs#password BitbucketdcProvider#password}
  */
  readonly password?: string;
  /**
  * Base URL of Bitbucket Data Center, e.g. `https://bitbucket.example.com` (with its context path, if any). Defaults to the BITBUCKET_URL environment variable.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/liftgate/bitbucketdc/0.1.0/docs#server_url BitbucketdcProvider#server_url}
  */
  readonly serverUrl?: string;
  /**
  * HTTP access token, sent as `Authorization: Bearer`. Give this or `username` and `password`, not both. Defaults to the BITBUCKET_TOKEN environment variable.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/liftgate/bitbucketdc/0.1.0/docs#token BitbucketdcProvider#token}
  */
  readonly token?: string;
  /**
  * User for Basic authentication, with `password`. Defaults to the BITBUCKET_USERNAME environment variable.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/liftgate/bitbucketdc/0.1.0/docs#username BitbucketdcProvider#username}
  */
  readonly username?: string;
  /**
  * Alias name
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/liftgate/bitbucketdc/0.1.0/docs#alias BitbucketdcProvider#alias}
  */
  readonly alias?: string;
}

/**
* Represents a {@link https://registry.terraform.io/providers/liftgate/bitbucketdc/0.1.0/docs bitbucketdc}
*/
export class BitbucketdcProvider extends cdktn.TerraformProvider {

  // =================
  // STATIC PROPERTIES
  // =================
  public static readonly tfResourceType = "bitbucketdc";

  // ==============
  // STATIC Methods
  // ==============
  /**
  * Generates CDKTN code for importing a BitbucketdcProvider resource upon running "cdktn plan <stack-name>"
  * @param scope The scope in which to define this construct
  * @param importToId The construct id used in the generated config for the BitbucketdcProvider to import
  * @param importFromId The id of the existing BitbucketdcProvider that should be imported. Refer to the {@link https://registry.terraform.io/providers/liftgate/bitbucketdc/0.1.0/docs#import import section} in the documentation of this resource for the id to use
  * @param provider? Optional instance of the provider where the BitbucketdcProvider to import is found
  */
  public static generateConfigForImport(scope: Construct, importToId: string, importFromId: string, provider?: cdktn.TerraformProvider) {
        return new cdktn.ImportableResource(scope, importToId, { terraformResourceType: "bitbucketdc", importId: importFromId, provider });
      }

  // ===========
  // INITIALIZER
  // ===========

  /**
  * Create a new {@link https://registry.terraform.io/providers/liftgate/bitbucketdc/0.1.0/docs bitbucketdc} Resource
  *
  * @param scope The scope in which to define this construct
  * @param id The scoped construct ID. Must be unique amongst siblings in the same scope
  * @param options BitbucketdcProviderConfig = {}
  */
  public constructor(scope: Construct, id: string, config: BitbucketdcProviderConfig = {}) {
    super(scope, id, {
      terraformResourceType: 'bitbucketdc',
      terraformGeneratorMetadata: {
        providerName: 'bitbucketdc',
        providerVersion: '0.1.0'
      },
      terraformProviderSource: 'registry.terraform.io/liftgate/bitbucketdc'
    });
    this._password = config.password;
    this._serverUrl = config.serverUrl;
    this._token = config.token;
    this._username = config.username;
    this._alias = config.alias;
  }

  // ==========
  // ATTRIBUTES
  // ==========

  // password - computed: false, optional: true, required: false
  private _password?: string; 
  public get password() {
    return this._password;
  }
  public set password(value: string | undefined) {
    this._password = value;
  }
  public resetPassword() {
    this._password = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get passwordInput() {
    return this._password;
  }

  // server_url - computed: false, optional: true, required: false
  private _serverUrl?: string; 
  public get serverUrl() {
    return this._serverUrl;
  }
  public set serverUrl(value: string | undefined) {
    this._serverUrl = value;
  }
  public resetServerUrl() {
    this._serverUrl = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get serverUrlInput() {
    return this._serverUrl;
  }

  // token - computed: false, optional: true, required: false
  private _token?: string; 
  public get token() {
    return this._token;
  }
  public set token(value: string | undefined) {
    this._token = value;
  }
  public resetToken() {
    this._token = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get tokenInput() {
    return this._token;
  }

  // username - computed: false, optional: true, required: false
  private _username?: string; 
  public get username() {
    return this._username;
  }
  public set username(value: string | undefined) {
    this._username = value;
  }
  public resetUsername() {
    this._username = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get usernameInput() {
    return this._username;
  }

  // alias - computed: false, optional: true, required: false
  private _alias?: string; 
  public override get alias() {
    return this._alias;
  }
  public override set alias(value: string | undefined) {
    this._alias = value;
  }
  public resetAlias() {
    this._alias = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get aliasInput() {
    return this._alias;
  }

  // =========
  // SYNTHESIS
  // =========

  protected override synthesizeAttributes(): { [name: string]: any } {
    return {
      password: cdktn.stringToTerraform(this._password),
      server_url: cdktn.stringToTerraform(this._serverUrl),
      token: cdktn.stringToTerraform(this._token),
      username: cdktn.stringToTerraform(this._username),
      alias: cdktn.stringToTerraform(this._alias),
    };
  }

  protected override synthesizeHclAttributes(): { [name: string]: any } {
    const attrs = {
      password: {
        value: cdktn.stringToHclTerraform(this._password),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      server_url: {
        value: cdktn.stringToHclTerraform(this._serverUrl),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      token: {
        value: cdktn.stringToHclTerraform(this._token),
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
      alias: {
        value: cdktn.stringToHclTerraform(this._alias),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
    };

    // remove undefined attributes
    return Object.fromEntries(Object.entries(attrs).filter(([_, value]) => value !== undefined && value.value !== undefined ))
  }
}
