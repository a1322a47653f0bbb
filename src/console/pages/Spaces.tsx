import type { Integration, Space, Stack } from '../api';
import { Badge, Labels, LoadState, PageHeading } from '../components/common';
import { useApi } from '../context';
import { useLoad } from '../hooks';
import { SpaceIndex } from '../spaces';

/** SPEC §8 "Spaces": the tree the key can read, with what each space holds. */
export function SpacesPage() {
  const api = useApi();
  const loaded = useLoad(async () => {
    const [spaces, stacks, integrations] = await Promise.all([api.listSpaces(), api.listStacks(), api.listIntegrations()]);
    return { spaces: new SpaceIndex(spaces), stacks, integrations };
  }, []);
  const data = loaded.data;
  return (
    <>
      <PageHeading>Spaces</PageHeading>
      <p class="lead">
        Access flows down the tree: a role on a space holds on every space below it. Stacks in a space that inherits
        entities may use the integrations of the space above.
      </p>
      <LoadState loaded={loaded} what="spaces" />
      {data === undefined ? null : (
        <ul class="space-tree" aria-label="Space tree">
          {data.spaces.tops().map((space) => (
            <SpaceNode key={space.id} space={space} index={data.spaces} stacks={data.stacks} integrations={data.integrations} />
          ))}
        </ul>
      )}
    </>
  );
}

function count(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

function SpaceNode({ space, index, stacks, integrations }: { space: Space; index: SpaceIndex; stacks: Stack[]; integrations: Integration[] }) {
  const children = index.children(space.id);
  const stackCount = stacks.filter((stack) => stack.spaceId === space.id).length;
  const integrationCount = integrations.filter((integration) => integration.spaceId === space.id).length;
  return (
    <li>
      <div class="space-node">
        <strong>{space.name}</strong> <code>{space.id}</code>
        {space.inheritEntities ? (
          <>
            {' '}
            <Badge tone="info">Inherits entities</Badge>
          </>
        ) : null}
        <span class="muted">
          {' '}
          · {count(stackCount, 'stack', 'stacks')} · {count(integrationCount, 'integration', 'integrations')}
        </span>
        {space.description === '' ? null : <p class="space-description">{space.description}</p>}
        {space.labels.length === 0 ? null : <Labels labels={space.labels} />}
      </div>
      {children.length === 0 ? null : (
        <ul>
          {children.map((child) => (
            <SpaceNode key={child.id} space={child} index={index} stacks={stacks} integrations={integrations} />
          ))}
        </ul>
      )}
    </li>
  );
}
