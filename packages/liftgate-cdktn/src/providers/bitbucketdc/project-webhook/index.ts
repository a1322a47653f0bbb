// https://registry.terraform.io/providers/liftgate/bitbucketdc/0.1.0/docs/resources/project_webhook
// generated from terraform resource schema

import { Construct } from 'constructs';
import * as cdktn from 'cdktn';

// Configuration

export interface ProjectWebhookConfig extends cdktn.TerraformMetaArguments {
  /**
  * Whether Bitbucket delivers events to the webhook. Defaults to true.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/liftgate/bitbucketdc/0.1.0/docs/resources/project_webhook#active ProjectWebhook#active}
  */
  readonly active?: boolean | cdktn.IResolvable;
  /**
  * The Bitbucket event keys that trigger the webhook, e.g. `repo:refs_changed`, `pr:opened`. One of: repo:refs_changed, repo:modified, repo:forked, repo:comment:added, repo:comment:edited, repo:comment:deleted, repo:secret_detected, mirror:repo_synchronized, project:modified, pr:opened, pr:from_ref_updated, pr:modified, pr:reviewer:updated, pr:reviewer:approved, pr:reviewer:unapproved, pr:reviewer:needs_work, pr:merged, pr:declined, pr:deleted, pr:comment:added, pr:comment:edited, pr:comment:deleted.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/liftgate/bitbucketdc/0.1.0/docs/resources/project_webhook#events ProjectWebhook#events}
  */
  readonly events: string[];
  /**
  * The webhook's name as shown in Bitbucket's project settings. Together with `url` it identifies the webhook when an interrupted create is retried.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/liftgate/bitbucketdc/0.1.0/docs/resources/project_webhook#name ProjectWebhook#name}
  */
  readonly name: string;
  /**
  * Key of the project, e.g. `PLAT`. The webhook fires for every repository of the project. Changing it destroys and re-creates the object: a webhook belongs to its project; Bitbucket cannot move it to another one.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/liftgate/bitbucketdc/0.1.0/docs/resources/project_webhook#project_key ProjectWebhook#project_key}
  */
  readonly projectKey: string;
  /**
  * Shared secret Bitbucket signs each delivery with (`X-Hub-Signature`, HMAC-SHA256). Bitbucket returns it on every read, so a secret changed in Bitbucket shows as drift. Leave it out for unsigned deliveries.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/liftgate/bitbucketdc/0.1.0/docs/resources/project_webhook#secret ProjectWebhook#secret}
  */
  readonly secret?: string;
  /**
  * Whether Bitbucket verifies the TLS certificate of an https `url`. Defaults to true (Bitbucket's default).
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/liftgate/bitbucketdc/0.1.0/docs/resources/project_webhook#ssl_verification_required ProjectWebhook#ssl_verification_required}
  */
  readonly sslVerificationRequired?: boolean | cdktn.IResolvable;
  /**
  * The http(s) URL Bitbucket posts events to.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/liftgate/bitbucketdc/0.1.0/docs/resources/project_webhook#url ProjectWebhook#url}
  */
  readonly url: string;
}

/**
* Represents a {@link https://registry.terraform.io/providers/liftgate/bitbucketdc/0.1.0/docs/resources/project_webhook bitbucketdc_project_webhook}
*/
export class ProjectWebhook extends cdktn.TerraformResource {

  // =================
  // STATIC PROPERTIES
  // =================
  public static readonly tfResourceType = "bitbucketdc_project_webhook";

  // ==============
  // STATIC Methods
  // ==============
  /**
  * Generates CDKTN code for importing a ProjectWebhook resource upon running "cdktn plan <stack-name>"
  * @param scope The scope in which to define this construct
  * @param importToId The construct id used in the generated config for the ProjectWebhook to import
  * @param importFromId The id of the existing ProjectWebhook that should be imported. Refer to the {@link https://registry.terraform.io/providers/liftgate/bitbucketdc/0.1.0/docs/resources/project_webhook#import import section} in the documentation of this resource for the id to use
  * @param provider? Optional instance of the provider where the ProjectWebhook to import is found
  */
  public static generateConfigForImport(scope: Construct, importToId: string, importFromId: string, provider?: cdktn.TerraformProvider) {
        return new cdktn.ImportableResource(scope, importToId, { terraformResourceType: "bitbucketdc_project_webhook", importId: importFromId, provider });
      }

  // ===========
  // INITIALIZER
  // ===========

  /**
  * Create a new {@link https://registry.terraform.io/providers/liftgate/bitbucketdc/0.1.0/docs/resources/project_webhook bitbucketdc_project_webhook} Resource
  *
  * @param scope The scope in which to define this construct
  * @param id The scoped construct ID. Must be unique amongst siblings in the same scope
  * @param options ProjectWebhookConfig
  */
  public constructor(scope: Construct, id: string, config: ProjectWebhookConfig) {
    super(scope, id, {
      terraformResourceType: 'bitbucketdc_project_webhook',
      terraformGeneratorMetadata: {
        providerName: 'bitbucketdc',
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
    this._active = config.active;
    this._events = config.events;
    this._name = config.name;
    this._projectKey = config.projectKey;
    this._secret = config.secret;
    this._sslVerificationRequired = config.sslVerificationRequired;
    this._url = config.url;
  }

  // ==========
  // ATTRIBUTES
  // ==========

  // active - computed: true, optional: true, required: false
  private _active?: boolean | cdktn.IResolvable; 
  public get active() {
    return this.getBooleanAttribute('active');
  }
  public set active(value: boolean | cdktn.IResolvable) {
    this._active = value;
  }
  public resetActive() {
    this._active = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get activeInput() {
    return this._active;
  }

  // events - computed: false, optional: false, required: true
  private _events?: string[]; 
  public get events() {
    return cdktn.Fn.tolist(this.getListAttribute('events'));
  }
  public set events(value: string[]) {
    this._events = value;
  }
  // Temporarily expose input value. Use with caution.
  public get eventsInput() {
    return this._events;
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

  // secret - computed: false, optional: true, required: false
  private _secret?: string; 
  public get secret() {
    return this.getStringAttribute('secret');
  }
  public set secret(value: string) {
    this._secret = value;
  }
  public resetSecret() {
    this._secret = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get secretInput() {
    return this._secret;
  }

  // ssl_verification_required - computed: true, optional: true, required: false
  private _sslVerificationRequired?: boolean | cdktn.IResolvable; 
  public get sslVerificationRequired() {
    return this.getBooleanAttribute('ssl_verification_required');
  }
  public set sslVerificationRequired(value: boolean | cdktn.IResolvable) {
    this._sslVerificationRequired = value;
  }
  public resetSslVerificationRequired() {
    this._sslVerificationRequired = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get sslVerificationRequiredInput() {
    return this._sslVerificationRequired;
  }

  // url - computed: false, optional: false, required: true
  private _url?: string; 
  public get url() {
    return this.getStringAttribute('url');
  }
  public set url(value: string) {
    this._url = value;
  }
  // Temporarily expose input value. Use with caution.
  public get urlInput() {
    return this._url;
  }

  // webhook_id - computed: true, optional: false, required: false
  public get webhookId() {
    return this.getNumberAttribute('webhook_id');
  }

  // =========
  // SYNTHESIS
  // =========

  protected override synthesizeAttributes(): { [name: string]: any } {
    return {
      active: cdktn.booleanToTerraform(this._active),
      events: cdktn.listMapper(cdktn.stringToTerraform, false)(this._events),
      name: cdktn.stringToTerraform(this._name),
      project_key: cdktn.stringToTerraform(this._projectKey),
      secret: cdktn.stringToTerraform(this._secret),
      ssl_verification_required: cdktn.booleanToTerraform(this._sslVerificationRequired),
      url: cdktn.stringToTerraform(this._url),
    };
  }

  protected override synthesizeHclAttributes(): { [name: string]: any } {
    const attrs = {
      active: {
        value: cdktn.booleanToHclTerraform(this._active),
        isBlock: false,
        type: "simple",
        storageClassType: "boolean",
      },
      events: {
        value: cdktn.listMapperHcl(cdktn.stringToHclTerraform, false)(this._events),
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
      project_key: {
        value: cdktn.stringToHclTerraform(this._projectKey),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      secret: {
        value: cdktn.stringToHclTerraform(this._secret),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      ssl_verification_required: {
        value: cdktn.booleanToHclTerraform(this._sslVerificationRequired),
        isBlock: false,
        type: "simple",
        storageClassType: "boolean",
      },
      url: {
        value: cdktn.stringToHclTerraform(this._url),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
    };

    // remove undefined attributes
    return Object.fromEntries(Object.entries(attrs).filter(([_, value]) => value !== undefined && value.value !== undefined ))
  }
}
