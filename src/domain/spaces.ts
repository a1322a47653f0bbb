import { ROOT_SPACE_ID, type Role, type RoleBinding } from './model';

const ROLE_RANK: Record<Role, number> = { read: 1, write: 2, admin: 3 };

/** True when `held` is at least `needed` (read < write < admin). */
export function roleSatisfies(held: Role | null, needed: Role): boolean {
  return held !== null && ROLE_RANK[held] >= ROLE_RANK[needed];
}

function higherRole(a: Role | null, b: Role | null): Role | null {
  if (a === null) return b;
  if (b === null) return a;
  return ROLE_RANK[a] >= ROLE_RANK[b] ? a : b;
}

export interface SpaceNode {
  id: string;
  parentSpaceId: string | null;
  inheritEntities: boolean;
}

/** A snapshot of the space tree; the pure rules of SPEC §1 (access down, entities up) are answered on it. */
export class SpaceTree {
  readonly #nodes = new Map<string, SpaceNode>();
  readonly #children = new Map<string, string[]>();

  constructor(spaces: Iterable<SpaceNode>) {
    for (const space of spaces) {
      this.#nodes.set(space.id, space);
      if (space.parentSpaceId !== null) {
        const siblings = this.#children.get(space.parentSpaceId) ?? [];
        siblings.push(space.id);
        this.#children.set(space.parentSpaceId, siblings);
      }
    }
  }

  /** A copy of the tree with one space replaced (to ask what a change would do before making it). */
  withSpace(space: SpaceNode): SpaceTree {
    return new SpaceTree([...this.#nodes.values()].map((node) => (node.id === space.id ? space : node)));
  }

  get(id: string): SpaceNode | undefined {
    return this.#nodes.get(id);
  }

  /** `id` followed by its ancestors up to root. Bounded by the tree size, so a corrupt cycle cannot hang. */
  pathToRoot(id: string): string[] {
    const path: string[] = [];
    let current = this.#nodes.get(id);
    while (current !== undefined && path.length <= this.#nodes.size) {
      path.push(current.id);
      current = current.parentSpaceId === null ? undefined : this.#nodes.get(current.parentSpaceId);
    }
    return path;
  }

  /**
   * `id` and all its ancestors up to root, or null when the tree does not hold them all (a snapshot of only the spaces
   * an API key can read) or they do not end at root.
   */
  completePathToRoot(id: string): string[] | null {
    const path = this.pathToRoot(id);
    const top = path.length === 0 ? undefined : this.#nodes.get(path[path.length - 1] as string);
    return top?.parentSpaceId === null ? path : null;
  }

  /**
   * The spaces whose entities a stack in `id` may use: `id` itself and, while each space on the way up has
   * `inheritEntities`, its parent (transitively).
   */
  entitySources(id: string): string[] {
    const sources: string[] = [];
    let current = this.#nodes.get(id);
    while (current !== undefined && sources.length <= this.#nodes.size) {
      sources.push(current.id);
      if (!current.inheritEntities || current.parentSpaceId === null) break;
      current = this.#nodes.get(current.parentSpaceId);
    }
    return sources;
  }

  /** Every space strictly below `id`. */
  descendants(id: string): string[] {
    const found: string[] = [];
    const queue = [...(this.#children.get(id) ?? [])];
    while (queue.length > 0 && found.length <= this.#nodes.size) {
      const next = queue.shift() as string;
      found.push(next);
      queue.push(...(this.#children.get(next) ?? []));
    }
    return found;
  }

  /**
   * The role a holder of `bindings` has on `spaceId`:
   * - access flows down: a binding on the space or any ancestor applies;
   * - a binding on a space that inherits entities also grants `read` on the spaces it inherits from
   *   (so the integrations a stack there may use can be seen). That read grant is on those spaces only;
   *   it does not flow down to their other children.
   */
  roleOn(bindings: readonly RoleBinding[], spaceId: string): Role | null {
    if (!this.#nodes.has(spaceId)) return null;
    const above = new Set(this.pathToRoot(spaceId));
    let role: Role | null = null;
    for (const binding of bindings) {
      if (above.has(binding.spaceId)) {
        role = higherRole(role, binding.role);
      } else if (this.entitySources(binding.spaceId).includes(spaceId)) {
        role = higherRole(role, 'read');
      }
    }
    return role;
  }
}

/** Whether a stack in `stackSpaceId` may use an integration (SPEC §1: default → everyone; else entities flow up). */
export function stackMayUseIntegration(
  tree: SpaceTree,
  stackSpaceId: string,
  integration: { isDefault: boolean; spaceId: string },
): boolean {
  return integration.isDefault || tree.entitySources(stackSpaceId).includes(integration.spaceId);
}

/** Lowercase ASCII slug: runs of anything else become one hyphen, trimmed; empty when nothing is left. */
export function slugify(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64)
    .replace(/-+$/g, '');
}

export { ROOT_SPACE_ID };
