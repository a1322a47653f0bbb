import { errors } from './errors';
import type { CreateUserInput, User } from './entities';
import { isGlobalPermission, isProjectPermission, isRepositoryPermission, type GlobalPermission, type ProjectPermission, type RepositoryPermission } from './permissions';
import { repositoryKey, type EmulatorStore } from './store';

/** Bitbucket's users and the permissions granted to them. */
export class Users {
  constructor(private readonly store: EmulatorStore) {}

  create(input: CreateUserInput): User {
    const name = input.name.trim();
    if (!/^[A-Za-z0-9_.@-]+$/.test(name)) {
      throw errors.invalid(`"${input.name}" is not a valid username: use letters, digits, _ . @ -`, 'name');
    }
    const slug = name.toLowerCase();
    if (this.store.users.has(slug)) throw errors.invalid(`A user named ${name} already exists.`, 'name');
    if (input.globalPermission != null && !isGlobalPermission(input.globalPermission)) {
      throw errors.invalid(`${String(input.globalPermission)} is not a valid global permission`, 'globalPermission');
    }
    const user: User = {
      id: this.store.id(),
      name,
      slug,
      displayName: input.displayName ?? name,
      emailAddress: input.emailAddress ?? `${slug}@example.com`,
      password: input.password ?? null,
      globalPermission: input.globalPermission ?? 'LICENSED_USER',
      projectPermissions: {},
      repositoryPermissions: {},
    };
    this.store.users.set(slug, user);
    this.grant(slug, {
      projectPermissions: input.projectPermissions ?? {},
      repositoryPermissions: input.repositoryPermissions ?? {},
    });
    this.store.changed();
    return user;
  }

  get(slug: string): User {
    const user = this.store.users.get(slug.toLowerCase());
    if (user === undefined) throw errors.noSuchUser(slug);
    return user;
  }

  list(): User[] {
    return [...this.store.users.values()];
  }

  /** Adds or replaces permissions of a user; keys are project keys and `PROJECTKEY/slug`. */
  grant(
    userSlug: string,
    grants: {
      globalPermission?: GlobalPermission | null;
      projectPermissions?: Record<string, ProjectPermission>;
      repositoryPermissions?: Record<string, RepositoryPermission>;
    },
  ): User {
    const user = this.get(userSlug);
    if (grants.globalPermission !== undefined) {
      if (grants.globalPermission !== null && !isGlobalPermission(grants.globalPermission)) {
        throw errors.invalid(`${String(grants.globalPermission)} is not a valid global permission`, 'globalPermission');
      }
      user.globalPermission = grants.globalPermission;
    }
    for (const [key, permission] of Object.entries(grants.projectPermissions ?? {})) {
      if (!isProjectPermission(permission)) throw errors.invalid(`${permission} is not a valid project permission`, key);
      user.projectPermissions[key.toUpperCase()] = permission;
    }
    for (const [path, permission] of Object.entries(grants.repositoryPermissions ?? {})) {
      const [key, slug, ...rest] = path.split('/');
      if (!key || !slug || rest.length > 0) {
        throw errors.invalid(`"${path}" must name a repository as PROJECTKEY/slug`, path);
      }
      if (!isRepositoryPermission(permission)) {
        throw errors.invalid(`${permission} is not a valid repository permission`, path);
      }
      user.repositoryPermissions[repositoryKey(key.toUpperCase(), slug.toLowerCase())] = permission;
    }
    this.store.changed();
    return user;
  }
}
