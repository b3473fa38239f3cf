import type { Method } from 'got';
import { AppError } from '@gatehouse/service-kit';
import type { MirrorDeps } from '../deps.js';
import type { ApiRequest, GithubAnswer } from '../github/github-client.js';
import { GithubError } from '../github/github-error.js';
import { findConnection, markConnectionBroken, type ConnectionRow } from '../store/connections.js';
import { recordTokenUse } from '../store/token-uses.js';

export type SessionDeps = Pick<MirrorDeps, 'db' | 'clock' | 'github' | 'cipher'>;

/** A person's stored GitHub token, usable only through calls that are recorded. */
export interface GithubSession {
  connection: ConnectionRow;
  api<T>(
    purpose: string,
    method: Method,
    path: string,
    req?: Omit<ApiRequest, 'token' | 'appAuth'>,
  ): Promise<GithubAnswer<T>>;
  /** For git over HTTPS: hands the token to fn and records the use. */
  withToken<T>(purpose: string, endpoint: string, fn: (token: string) => Promise<T>): Promise<T>;
}

/** The AAD that binds a stored token to its owner's row. */
export const connectionAad = (userId: string) => `github-connection:${userId}`;

export async function openSession(deps: SessionDeps, userId: string): Promise<GithubSession> {
  const connection = await findConnection(deps.db, userId);
  if (!connection) throw new AppError('github_not_connected');
  if (connection.broken_at) throw new AppError('github_reconnect_required');
  const token = deps.cipher.open(connection, connectionAad(userId));
  const record = (purpose: string, endpoint: string, status: number | null, requestId: string | undefined) =>
    recordTokenUse(deps.db, userId, { purpose, endpoint, status, request_id: requestId ?? null, at: deps.clock.now() });
  // A 401 means the grant is gone: mark the connection broken so nothing retries with it.
  const onFailure = async (err: unknown) => {
    if (err instanceof GithubError && err.failure === 'unauthorized')
      await markConnectionBroken(deps.db, userId, deps.clock.now());
  };
  return {
    connection,
    async api<T>(purpose: string, method: Method, path: string, req = {}) {
      try {
        const answer = await deps.github.api<T>(method, path, { ...req, token });
        await record(purpose, answer.endpoint, answer.status, answer.requestId);
        return answer;
      } catch (err) {
        await record(
          purpose,
          `${method} ${path}`,
          err instanceof GithubError ? (err.status ?? null) : null,
          err instanceof GithubError ? err.requestId : undefined,
        );
        await onFailure(err);
        throw err;
      }
    },
    async withToken(purpose, endpoint, fn) {
      await record(purpose, endpoint, null, undefined);
      try {
        return await fn(token);
      } catch (err) {
        await onFailure(err);
        throw err;
      }
    },
  };
}

/** How an API route answers a GitHub failure. */
export function githubAppError(err: unknown, now: Date): unknown {
  if (!(err instanceof GithubError)) return err;
  switch (err.failure) {
    case 'unauthorized':
      return new AppError('github_reconnect_required');
    case 'rate_limited':
    case 'secondary_rate_limited': {
      const seconds = Math.max(1, Math.ceil(((err.retryAt?.getTime() ?? 0) - now.getTime()) / 1000));
      return new AppError('github_rate_limited', {
        headers: { 'Retry-After': String(seconds) },
        extensions: { retry_after: seconds },
      });
    }
    default:
      return new AppError('github_unavailable', { cause: err });
  }
}
