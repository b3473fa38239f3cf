import type { JobRow } from '../store/mirror-jobs.js';

/** A job as the API and the socket show it (the contract's mirror job JSON). */
export function jobView(job: JobRow) {
  return {
    id: job.id,
    status: job.status,
    stage: job.stage,
    percent: job.percent,
    message: job.message,
    ...(job.status === 'waiting' && job.waiting_until
      ? { waiting_until: new Date(job.waiting_until).toISOString() }
      : {}),
    repository: job.repo_full_name ? { full_name: job.repo_full_name, html_url: job.repo_html_url } : null,
    error: job.error_code ? { code: job.error_code, message: job.error_message } : null,
    created_at: new Date(job.created_at).toISOString(),
    updated_at: new Date(job.updated_at).toISOString(),
  };
}

export type JobView = ReturnType<typeof jobView>;
export const isFinished = (job: Pick<JobRow, 'status'>) => job.status === 'succeeded' || job.status === 'failed';
