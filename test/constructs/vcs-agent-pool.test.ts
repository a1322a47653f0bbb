import { Token } from 'cdktf';
import { BitbucketDatacenterIntegration, Space, VcsAgentPool } from '../../src';
import { errorOf, newStack, onlyResource, synthesize } from './helpers';

describe('VcsAgentPool', () => {
  test('creates a liftgate_vcs_agent_pool in root, and names the apiHost of its integrations', () => {
    const stack = newStack();
    const pool = new VcsAgentPool(stack, 'Pool', { name: 'dc-pool', description: 'The data centre' });
    expect(pool.node.defaultChild).toBe(pool.resource);
    expect(pool.apiHost).toBe('private://dc-pool');
    expect(Token.isUnresolved(pool.token)).toBe(true);
    new BitbucketDatacenterIntegration(stack, 'Bitbucket', { name: 'Bitbucket', isDefault: true, apiHost: pool.apiHost, username: 'liftgate-bot', accessToken: 'token' });
    const synthesized = synthesize(stack);
    expect(onlyResource(synthesized, 'liftgate_vcs_agent_pool')).toEqual({ name: 'dc-pool', space_id: 'root', description: 'The data centre' });
    expect(onlyResource(synthesized, 'liftgate_bitbucket_datacenter_integration')).toMatchObject({ api_host: 'private://dc-pool' });
  });

  test('lives in a space given to it', () => {
    const stack = newStack();
    new VcsAgentPool(stack, 'Pool', { name: 'dc', space: Space.fromSpaceId(stack, 'Platform', 'platform-4f2a') });
    expect(onlyResource(synthesize(stack), 'liftgate_vcs_agent_pool')).toMatchObject({ space_id: 'platform-4f2a' });
  });

  test('says what is wrong with a name that cannot follow private://', () => {
    expect(errorOf(() => new VcsAgentPool(newStack(), 'Pool', { name: 'no/slash' }))).toMatch(/name: must be 1 to 63 letters/);
    expect(errorOf(() => new VcsAgentPool(newStack(), 'Pool', { name: undefined as unknown as string }))).toMatch(/name: is required/);
  });
});
