import { randomBytes } from 'node:crypto';
import { projectKeyProblem } from '../domain/bitbucket-names';
import type { BranchChange } from './content';
import { errors } from './errors';
import type { Project, Repository } from './entities';
import { commitKey, repositoryKey, type EmulatorStore } from './store';

const ZERO_COMMIT = '0'.repeat(40);

function slugify(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9_.-]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** Bitbucket's projects, with its checks on keys and names. */
export class Projects {
  constructor(private readonly store: EmulatorStore) {}

  create(input: { key: string; name: string; description?: string | null; public?: boolean }): Project {
    const key = input.key.trim();
    // A ~username key names a personal project, which Bitbucket makes with the user, never through this call.
    if (key.startsWith('~') || projectKeyProblem(key) !== null) {
      throw errors.invalid(
        'Project keys must start with a letter and may only consist of ASCII letters, numbers and underscores (A-Z, a-z, 0-9, _).',
        'key',
      );
    }
    const name = input.name.trim();
    if (name === '' || name.length > 128 || name.startsWith('~')) {
      throw errors.invalid('Project name must be between 1 and 128 characters and not start with ~.', 'name');
    }
    const upperKey = key.toUpperCase();
    if (this.store.projects.has(upperKey)) throw errors.duplicateProject('Project key must be unique.', 'key');
    for (const other of this.store.projects.values()) {
      if (other.name.toLowerCase() === name.toLowerCase()) {
        throw errors.duplicateProject('Project name must be unique.', 'name');
      }
    }
    const project: Project = {
      id: this.store.id(),
      key: upperKey,
      name,
      description: input.description ?? null,
      public: input.public ?? false,
    };
    this.store.projects.set(upperKey, project);
    this.store.changed();
    return project;
  }

  get(key: string): Project {
    const project = this.store.projects.get(key.toUpperCase());
    if (project === undefined) throw errors.noSuchProject(key);
    return project;
  }

  list(): Project[] {
    return [...this.store.projects.values()];
  }

  delete(key: string): void {
    const project = this.get(key);
    if ([...this.store.repositories.values()].some((repository) => repository.projectKey === project.key)) {
      throw errors.projectNotEmpty(project.key);
    }
    this.store.projects.delete(project.key);
    this.store.removeWebhooksOfScope({ type: 'project', projectKey: project.key });
    this.store.changed();
  }
}

/** The repositories of the projects, with their branches. */
export class Repositories {
  constructor(
    private readonly store: EmulatorStore,
    private readonly projects: Projects,
  ) {}

  create(
    projectKey: string,
    input: { name: string; slug?: string; description?: string | null; defaultBranch?: string; public?: boolean; forkable?: boolean },
  ): Repository {
    const project = this.projects.get(projectKey);
    const name = input.name.trim();
    if (name === '' || name.length > 128) {
      throw errors.invalid('Repository name must be between 1 and 128 characters.', 'name');
    }
    const slug = (input.slug ?? slugify(name)).toLowerCase();
    if (!/^[a-z0-9_.-]+$/.test(slug) || slug.length > 128) {
      throw errors.invalid(
        'Repository slugs may only contain letters, numbers, periods, hyphens and underscores.',
        'slug',
      );
    }
    if (this.store.repositories.has(repositoryKey(project.key, slug))) {
      throw errors.duplicateRepository('This repository URL is already taken by another repository.');
    }
    const defaultBranch = input.defaultBranch?.trim() || 'main';
    const repository: Repository = {
      id: this.store.id(),
      projectKey: project.key,
      slug,
      name,
      description: input.description ?? null,
      defaultBranch,
      public: input.public ?? false,
      forkable: input.forkable ?? true,
      archived: false,
      hierarchyId: randomBytes(10).toString('hex'),
      // Empty until its first push, as a new Bitbucket repository is.
      branches: {},
    };
    this.store.repositories.set(repositoryKey(project.key, slug), repository);
    this.store.changed();
    return repository;
  }

  get(projectKey: string, slug: string): Repository {
    const project = this.projects.get(projectKey);
    const repository = this.store.repositories.get(repositoryKey(project.key, slug.toLowerCase()));
    if (repository === undefined) throw errors.noSuchRepository(project.key, slug);
    return repository;
  }

  of(projectKey: string): Repository[] {
    const key = projectKey.toUpperCase();
    return [...this.store.repositories.values()].filter((repository) => repository.projectKey === key);
  }

  list(): Repository[] {
    return [...this.store.repositories.values()];
  }

  delete(projectKey: string, slug: string): void {
    const repository = this.get(projectKey, slug);
    this.store.repositories.delete(repositoryKey(repository.projectKey, repository.slug));
    this.store.removeWebhooksOfScope({ type: 'repository', projectKey: repository.projectKey, repositorySlug: repository.slug });
    const ofRepository = (item: { projectKey: string; repositorySlug: string }) =>
      item.projectKey === repository.projectKey && item.repositorySlug === repository.slug;
    for (const [key, pullRequest] of this.store.pullRequests) if (ofRepository(pullRequest)) this.store.pullRequests.delete(key);
    for (const [key, status] of this.store.buildStatuses) if (ofRepository(status)) this.store.buildStatuses.delete(key);
    const commits = commitKey(repository.projectKey, repository.slug, '');
    for (const key of [...this.store.commits.keys()]) if (key.startsWith(commits)) this.store.commits.delete(key);
    this.store.changed();
  }

  /**
   * Moves a branch head to a commit (creating the branch, or deleting it for 40 zeros, Git's convention) and
   * returns the change for a refs_changed event.
   */
  moveBranch(repository: Repository, branch: string, toHash: string): BranchChange {
    const fromHash = repository.branches[branch] ?? ZERO_COMMIT;
    const type = fromHash === ZERO_COMMIT ? 'ADD' : toHash === ZERO_COMMIT ? 'DELETE' : 'UPDATE';
    if (toHash === ZERO_COMMIT) delete repository.branches[branch];
    else repository.branches[branch] = toHash;
    this.store.changed();
    return { branch, fromHash, toHash, type };
  }

  /**
   * Creates a tag at a commit, or deletes it (40 zeros), and returns the change for a refs_changed event. An
   * existing tag is not moved (Bitbucket refuses it: 409); deleting a missing one is a 404.
   */
  setTag(repository: Repository, name: string, toHash: string): BranchChange & { refType: 'TAG' } {
    const tags = (repository.tags ??= {});
    const fromHash = tags[name] ?? ZERO_COMMIT;
    if (toHash !== ZERO_COMMIT && fromHash !== ZERO_COMMIT) throw errors.duplicateRef(name, repository);
    if (toHash === ZERO_COMMIT && fromHash === ZERO_COMMIT) throw errors.noSuchRef(`refs/tags/${name}`, repository);
    if (toHash === ZERO_COMMIT) delete tags[name];
    else tags[name] = toHash;
    this.store.changed();
    return { branch: name, fromHash, toHash, type: toHash === ZERO_COMMIT ? 'DELETE' : 'ADD', refType: 'TAG' };
  }
}
