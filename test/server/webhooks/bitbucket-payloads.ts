/**
 * Webhook bodies shaped like Bitbucket Data Center's (reference doc §3, Atlassian's "Event payload" page),
 * with the envelope fields a real server sends, so the receiver is tested against what it will get.
 */

export interface RepositoryCoordinates {
  projectKey: string;
  slug: string;
}

const actor = {
  name: 'admin',
  emailAddress: 'admin@example.com',
  id: 1,
  displayName: 'Administrator',
  active: true,
  slug: 'admin',
  type: 'NORMAL',
  links: { self: [{ href: 'https://bitbucket.example.com/users/admin' }] },
};

export function repository({ projectKey, slug }: RepositoryCoordinates) {
  return {
    slug,
    id: 84,
    name: slug,
    hierarchyId: 'af05451fc6eb4bbc5a5c',
    scmId: 'git',
    state: 'AVAILABLE',
    statusMessage: 'Available',
    forkable: true,
    public: false,
    archived: false,
    project: {
      key: projectKey,
      id: 21,
      name: projectKey,
      public: false,
      type: 'NORMAL',
      links: { self: [{ href: `https://bitbucket.example.com/projects/${projectKey}` }] },
    },
    links: {
      clone: [
        { href: `ssh://git@bitbucket.example.com:7999/${projectKey.toLowerCase()}/${slug}.git`, name: 'ssh' },
        { href: `https://bitbucket.example.com/scm/${projectKey.toLowerCase()}/${slug}.git`, name: 'http' },
      ],
      self: [{ href: `https://bitbucket.example.com/projects/${projectKey}/repos/${slug}/browse` }],
    },
  };
}

const DATE = '2026-11-26T09:44:17+0000';
const ZERO_HASH = '0'.repeat(40);

export interface RefChange {
  branch: string;
  toHash: string;
  type?: 'ADD' | 'UPDATE' | 'DELETE';
  refType?: 'BRANCH' | 'TAG';
}

export function refsChanged(repo: RepositoryCoordinates, changes: RefChange[]) {
  return {
    eventKey: 'repo:refs_changed',
    date: DATE,
    actor,
    repository: repository(repo),
    changes: changes.map(({ branch, toHash, type = 'UPDATE', refType = 'BRANCH' }) => {
      const id = `${refType === 'TAG' ? 'refs/tags/' : 'refs/heads/'}${branch}`;
      return {
        ref: { id, displayId: branch, type: refType },
        refId: id,
        fromHash: type === 'ADD' ? ZERO_HASH : 'a'.repeat(40),
        toHash: type === 'DELETE' ? ZERO_HASH : toHash,
        type,
      };
    }),
  };
}

export interface PullRequestSpec {
  id?: number;
  from: string;
  to: string;
  latestCommit: string;
  state?: 'OPEN' | 'MERGED' | 'DECLINED';
}

function pullRequestRef(repo: RepositoryCoordinates, branch: string, latestCommit: string) {
  return { id: `refs/heads/${branch}`, displayId: branch, latestCommit, type: 'BRANCH', repository: repository(repo) };
}

const participant = {
  user: actor,
  role: 'REVIEWER',
  approved: true,
  status: 'APPROVED',
  lastReviewedCommit: 'c'.repeat(40),
};

/** The extra fields each pull-request event carries beyond `actor`, `date` and `pullRequest` (reference §3.6). */
const pullRequestExtras: Record<string, Record<string, unknown>> = {
  'pr:opened': {},
  'pr:from_ref_updated': { previousFromHash: 'b'.repeat(40) },
  'pr:modified': { previousTitle: 'Old title', previousDescription: 'Old description', previousDraft: false },
  'pr:reviewer:approved': { participant, previousStatus: 'UNAPPROVED' },
  'pr:reviewer:unapproved': { participant: { ...participant, approved: false, status: 'UNAPPROVED' }, previousStatus: 'APPROVED' },
  'pr:merged': {},
  'pr:comment:added': {
    comment: { id: 62, version: 0, text: 'Looks good', author: actor, createdDate: 1732613057000, updatedDate: 1732613057000 },
  },
};

export function pullRequestEvent(eventKey: string, repo: RepositoryCoordinates, spec: PullRequestSpec) {
  const state = spec.state ?? (eventKey === 'pr:merged' ? 'MERGED' : 'OPEN');
  return {
    eventKey,
    date: DATE,
    actor,
    pullRequest: {
      id: spec.id ?? 7,
      version: 1,
      title: 'Change the network',
      description: 'Widens the subnet',
      state,
      open: state === 'OPEN',
      closed: state !== 'OPEN',
      locked: false,
      draft: false,
      createdDate: 1732613057000,
      updatedDate: 1732613057000,
      fromRef: pullRequestRef(repo, spec.from, spec.latestCommit),
      toRef: pullRequestRef(repo, spec.to, 'd'.repeat(40)),
      author: { user: actor, role: 'AUTHOR', approved: false, status: 'UNAPPROVED' },
      reviewers: [],
      participants: [],
      links: { self: [{ href: `https://bitbucket.example.com/projects/${repo.projectKey}/repos/${repo.slug}/pull-requests/${spec.id ?? 7}` }] },
    },
    ...(pullRequestExtras[eventKey] ?? {}),
  };
}
