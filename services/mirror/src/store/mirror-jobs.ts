import type { Queryable } from '@gatehouse/db';

export const stages = ['connect', 'create_repository', 'pack', 'push', 'verify'] as const;
export type Stage = (typeof stages)[number];
export type JobStatus = 'queued' | 'running' | 'waiting' | 'succeeded' | 'failed';

export interface JobRow {
  id: string;
  user_id: string;
  repo_name: string;
  private: boolean;
  status: JobStatus;
  stage: Stage;
  percent: number;
  message: string;
  waiting_until: Date | null;
  attempts: number;
  lease_owner: string | null;
  lease_until: Date | null;
  repo_full_name: string | null;
  repo_html_url: string | null;
  repo_clone_url: string | null;
  error_code: string | null;
  error_message: string | null;
  created_at: Date;
  updated_at: Date;
}

/** Columns a running job may change. */
export type JobPatch = Partial<
  Pick<
    JobRow,
    | 'status'
    | 'stage'
    | 'percent'
    | 'message'
    | 'waiting_until'
    | 'attempts'
    | 'lease_until'
    | 'repo_full_name'
    | 'repo_html_url'
    | 'repo_clone_url'
    | 'error_code'
    | 'error_message'
  >
>;

/** Throws UniqueViolationError when the person already has an unfinished job (mirror_jobs_one_active). */
export const insertJob = (q: Queryable, job: Pick<JobRow, 'id' | 'user_id' | 'repo_name' | 'private'>, now: Date) =>
  q.query(
    `INSERT INTO mirror_jobs (id, user_id, repo_name, private, status, stage, message, created_at, updated_at)
     VALUES ($1, $2, $3, $4, 'queued', 'connect', 'Waiting for a worker.', $5, $5)`,
    [job.id, job.user_id, job.repo_name, job.private, now],
  );

export async function findJob(q: Queryable, id: string): Promise<JobRow | undefined> {
  const { rows } = await q.query<JobRow>('SELECT * FROM mirror_jobs WHERE id = $1', [id]);
  return rows[0];
}

export async function listJobs(q: Queryable, userId: string, limit = 20): Promise<JobRow[]> {
  const { rows } = await q.query<JobRow>(
    'SELECT * FROM mirror_jobs WHERE user_id = $1 ORDER BY created_at DESC LIMIT $2',
    [userId, limit],
  );
  return rows;
}

/**
 * Takes one due job: queued, or waiting whose time has come, or running whose
 * lease expired (its worker died). SKIP LOCKED keeps replicas from taking the same one.
 */
export async function claimJob(q: Queryable, owner: string, now: Date, leaseMs: number): Promise<JobRow | undefined> {
  const { rows } = await q.query<JobRow>(
    `UPDATE mirror_jobs SET status = 'running', lease_owner = $1, lease_until = $3, waiting_until = NULL, updated_at = $2
     WHERE id = (
       SELECT id FROM mirror_jobs
       WHERE status = 'queued'
          OR (status = 'waiting' AND waiting_until <= $2)
          OR (status = 'running' AND lease_until < $2)
       ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED)
     RETURNING *`,
    [owner, now, new Date(now.getTime() + leaseMs)],
  );
  return rows[0];
}

/** Applies a patch only while `owner` holds the lease; false means the job was taken over. */
export async function updateJob(
  q: Queryable,
  id: string,
  owner: string,
  patch: JobPatch,
  now: Date,
): Promise<JobRow | undefined> {
  const entries = Object.entries(patch);
  const sets = entries.map(([column], i) => `${column} = $${i + 4}`);
  const { rows } = await q.query<JobRow>(
    `UPDATE mirror_jobs SET ${[...sets, 'updated_at = $3'].join(', ')} WHERE id = $1 AND lease_owner = $2 RETURNING *`,
    [id, owner, now, ...entries.map(([, v]) => v)],
  );
  return rows[0];
}
