import { SpaceTree, stackMayUseIntegration } from '../domain/spaces';
import type { Integration, Space } from './api';

/** The spaces a key can read, with the names and tree order the console shows them in. */
export class SpaceIndex {
  readonly #byId: Map<string, Space>;
  readonly #tree: SpaceTree;

  constructor(readonly spaces: Space[]) {
    this.#byId = new Map(spaces.map((space) => [space.id, space]));
    this.#tree = new SpaceTree(spaces);
  }

  /** The space's name, or its id when the key cannot read it. */
  name(id: string): string {
    return this.#byId.get(id)?.name ?? id;
  }

  /** "root › platform › team" down to the space, through the ancestors the key can read. */
  path(id: string): string {
    return this.#tree
      .pathToRoot(id)
      .reverse()
      .map((spaceId) => this.name(spaceId))
      .join(' › ');
  }

  /** Spaces in tree order (parents before children, siblings by name), each with its depth. */
  ordered(): Array<{ space: Space; depth: number }> {
    const out: Array<{ space: Space; depth: number }> = [];
    const visit = (space: Space, depth: number) => {
      out.push({ space, depth });
      for (const child of this.children(space.id)) visit(child, depth + 1);
    };
    for (const top of this.tops()) visit(top, 0);
    return out;
  }

  /** Spaces whose parent the key cannot read (root, for a root reader): the tops of what it sees. */
  tops(): Space[] {
    return byName(this.spaces.filter((space) => space.parentSpaceId === null || !this.#byId.has(space.parentSpaceId)));
  }

  children(id: string): Space[] {
    return byName(this.spaces.filter((space) => space.parentSpaceId === id));
  }

  /** The integrations a stack in `spaceId` may use (SPEC §1: the default one, and those its space reaches). */
  usableIntegrations(spaceId: string, integrations: Integration[]): Integration[] {
    return integrations.filter((integration) => stackMayUseIntegration(this.#tree, spaceId, integration));
  }
}

function byName(spaces: Space[]): Space[] {
  return [...spaces].sort((a, b) => a.name.localeCompare(b.name));
}
