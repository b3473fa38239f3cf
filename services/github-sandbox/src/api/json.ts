import type { SandboxRepo } from '../store/repos.js';
import type { SandboxUser } from '../store/users.js';

const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
const nodeId = (kind: string, id: number) =>
  Buffer.from(`0${kind.length}:${kind}${id}`).toString('base64').replace(/=+$/, '');

export interface Hosts {
  publicUrl: string;
  apiUrl: string;
}

/** simple-user: the owner inside repository answers. */
export function simpleUser(hosts: Hosts, user: Pick<SandboxUser, 'id' | 'login'>) {
  const api = `${hosts.apiUrl}/users/${user.login}`;
  return {
    login: user.login,
    id: user.id,
    node_id: nodeId('User', user.id),
    avatar_url: `${hosts.publicUrl}/_sandbox/avatars/${user.id}`,
    gravatar_id: '',
    url: api,
    html_url: `${hosts.publicUrl}/${user.login}`,
    followers_url: `${api}/followers`,
    following_url: `${api}/following{/other_user}`,
    gists_url: `${api}/gists{/gist_id}`,
    starred_url: `${api}/starred{/owner}{/repo}`,
    subscriptions_url: `${api}/subscriptions`,
    organizations_url: `${api}/orgs`,
    repos_url: `${api}/repos`,
    events_url: `${api}/events{/privacy}`,
    received_events_url: `${api}/received_events`,
    type: 'User',
    user_view_type: 'private',
    site_admin: false,
  };
}

export interface RepoCounts {
  publicRepos: number;
  privateRepos: number;
}

/** private-user: GET /user. */
export function privateUser(hosts: Hosts, user: SandboxUser, counts: RepoCounts, showEmail: boolean) {
  return {
    ...simpleUser(hosts, user),
    name: user.name,
    company: null,
    blog: '',
    location: null,
    email: showEmail ? user.email : null,
    hireable: null,
    bio: null,
    twitter_username: null,
    notification_email: showEmail ? user.email : null,
    public_repos: counts.publicRepos,
    public_gists: 0,
    followers: 0,
    following: 0,
    created_at: iso(user.created_at),
    updated_at: iso(user.updated_at),
    private_gists: 0,
    total_private_repos: counts.privateRepos,
    owned_private_repos: counts.privateRepos,
    disk_usage: 0,
    collaborators: 0,
    two_factor_authentication: false,
    plan: { name: 'free', space: 976562499, collaborators: 0, private_repos: 10000 },
  };
}

/** full-repository (also a valid `repository` for lists): every required member, from the schema's list. */
export function fullRepository(hosts: Hosts, repo: SandboxRepo) {
  const fullName = `${repo.owner_login}/${repo.name}`;
  const api = `${hosts.apiUrl}/repos/${fullName}`;
  const html = `${hosts.publicUrl}/${fullName}`;
  const host = new URL(hosts.publicUrl).host;
  return {
    id: repo.id,
    node_id: nodeId('Repository', repo.id),
    name: repo.name,
    full_name: fullName,
    private: repo.private,
    owner: simpleUser(hosts, { id: repo.owner_id, login: repo.owner_login }),
    html_url: html,
    description: repo.description,
    fork: false,
    url: api,
    forks_url: `${api}/forks`,
    keys_url: `${api}/keys{/key_id}`,
    collaborators_url: `${api}/collaborators{/collaborator}`,
    teams_url: `${api}/teams`,
    hooks_url: `${api}/hooks`,
    issue_events_url: `${api}/issues/events{/number}`,
    events_url: `${api}/events`,
    assignees_url: `${api}/assignees{/user}`,
    branches_url: `${api}/branches{/branch}`,
    tags_url: `${api}/tags`,
    blobs_url: `${api}/git/blobs{/sha}`,
    git_tags_url: `${api}/git/tags{/sha}`,
    git_refs_url: `${api}/git/refs{/sha}`,
    trees_url: `${api}/git/trees{/sha}`,
    statuses_url: `${api}/statuses/{sha}`,
    languages_url: `${api}/languages`,
    stargazers_url: `${api}/stargazers`,
    contributors_url: `${api}/contributors`,
    subscribers_url: `${api}/subscribers`,
    subscription_url: `${api}/subscription`,
    commits_url: `${api}/commits{/sha}`,
    git_commits_url: `${api}/git/commits{/sha}`,
    comments_url: `${api}/comments{/number}`,
    issue_comment_url: `${api}/issues/comments{/number}`,
    contents_url: `${api}/contents/{+path}`,
    compare_url: `${api}/compare/{base}...{head}`,
    merges_url: `${api}/merges`,
    archive_url: `${api}/{archive_format}{/ref}`,
    downloads_url: `${api}/downloads`,
    issues_url: `${api}/issues{/number}`,
    pulls_url: `${api}/pulls{/number}`,
    milestones_url: `${api}/milestones{/number}`,
    notifications_url: `${api}/notifications{?since,all,participating}`,
    labels_url: `${api}/labels{/name}`,
    releases_url: `${api}/releases{/id}`,
    deployments_url: `${api}/deployments`,
    created_at: iso(repo.created_at),
    updated_at: iso(repo.updated_at),
    pushed_at: iso(repo.pushed_at),
    git_url: `git://${host}/${fullName}.git`,
    ssh_url: `git@${host}:${fullName}.git`,
    clone_url: `${html}.git`,
    svn_url: html,
    homepage: null,
    size: 0,
    stargazers_count: 0,
    watchers_count: 0,
    language: null,
    has_issues: true,
    has_projects: true,
    has_downloads: true,
    has_wiki: true,
    has_pages: false,
    has_discussions: false,
    forks_count: 0,
    mirror_url: null,
    archived: false,
    disabled: false,
    open_issues_count: 0,
    license: null,
    allow_forking: true,
    is_template: false,
    web_commit_signoff_required: false,
    topics: [],
    visibility: repo.private ? 'private' : 'public',
    forks: 0,
    open_issues: 0,
    watchers: 0,
    default_branch: repo.default_branch,
    permissions: { admin: true, maintain: true, push: true, triage: true, pull: true },
    network_count: 0,
    subscribers_count: 1,
  };
}
