/**
 * The liftgate provider's tests talk to a real `liftgate serve` (terraform starts the provider, so the control plane
 * must be reachable over HTTP like a user's); this is the provider configuration pointing at it.
 */
import type { ControlPlaneProcess } from '../../helpers/serve';
import { providerConfig } from '../../helpers/terraform';

export { ControlPlaneProcess } from '../../helpers/serve';

/** The `terraform { required_providers }` and provider blocks for a control plane and key. */
export function liftgateProviderBlock(controlPlane: ControlPlaneProcess, apiKey: string = controlPlane.adminKey): string {
  return providerConfig('liftgate', 'liftgate/liftgate', { endpoint: controlPlane.url, api_key: apiKey });
}
