import type { Context, Middleware, ParameterizedContext } from 'koa';
import createSession from 'koa-session';
import type { Clock } from '@gatehouse/service-kit';
import type { Profile } from '../auth-client.js';
import { newSessionId } from './seal.js';
import type { SessionStore } from './store.js';

export interface Tokens {
  accessToken: string;
  /** ms since epoch, by the web service's clock. */
  accessExpiresAt: number;
  refreshToken: string;
}

export interface SignedIn {
  userId: string;
  username: string;
  tokens: Tokens;
  /** What pages show of the account, read from auth at login and whenever it may have changed. */
  profile?: Profile;
}

/** A GitHub authorization this browser started: the callback is only honoured together with its binding. */
export interface GithubFlow {
  /** ≥128 random bits; the mirror service keeps only its hash next to the OAuth state. */
  binding: string;
  purpose: 'signin' | 'connect';
  private: boolean;
  /** Where to go once it succeeds. */
  next: string;
  /** ms since epoch. */
  startedAt: number;
}

export interface Flash {
  kind: 'success' | 'info' | 'warning';
  text: string;
}

/** Everything the web service keeps about a browser, server-side. */
export interface SessionData {
  /** ms since epoch: when this session id was issued (at login for a signed-in one). */
  createdAt?: number;
  /** ms since epoch: last activity, kept to within `touchMs`. */
  seenAt?: number;
  csrf?: string;
  flash?: Flash;
  /** The address the last confirmation mail went to, for the "check your inbox" page. */
  checkEmail?: string;
  user?: SignedIn;
  github?: GithubFlow;
  /** This browser's failed logins (login-wait.ts), for telling its person to wait. */
  loginFailures?: { count: number; lastAt: number };
}

interface KoaSession {
  regenerate(): Promise<void>;
  save(): Promise<void>;
  readonly externalKey?: string;
}

type Live = SessionData & KoaSession;

/** The typed view of koa-session's `ctx.session`. */
export function sessionOf(ctx: Context | ParameterizedContext): Live {
  return (ctx as unknown as { session: Live }).session;
}

const fields: (keyof SessionData)[] = [
  'createdAt',
  'seenAt',
  'csrf',
  'flash',
  'checkEmail',
  'user',
  'github',
  'loginFailures',
];

/**
 * Swaps the session id for a fresh one holding only `keep`. The old record is
 * destroyed, so a cookie planted before login (fixation) or kept after logout
 * (replay) is worth nothing.
 */
export async function regenerate(ctx: Context, clock: Clock, keep: Partial<SessionData> = {}): Promise<void> {
  const session = sessionOf(ctx);
  for (const field of fields) delete session[field];
  const now = clock.now().getTime();
  Object.assign(session, { createdAt: now, seenAt: now }, keep);
  await session.regenerate();
}

export interface SessionOptions {
  store: SessionStore;
  clock: Clock;
  cookieName: string;
  /** https PUBLIC_URL: Secure cookies even when TLS ended at a proxy that did not say so. */
  secure: boolean;
  idleMs: number;
  absoluteMs: number;
  /** Called for a signed-in session that timed out, to revoke its tokens. */
  onExpired?: (user: SignedIn, ctx: Context) => void;
}

/**
 * A record outlives its deadline by this much, so a person coming back soon
 * after is told why they were logged out and their tokens get revoked at
 * auth. The deadline itself is enforced by `lifetime` below, not by expiry.
 */
const expiredRecordGraceMs = 3600_000;

/** When a record should vanish from the store: a while after its idle or absolute deadline, whichever is first. */
export function expiresAt(
  data: SessionData,
  options: Pick<SessionOptions, 'idleMs' | 'absoluteMs'>,
  now: number,
): number {
  const created = data.createdAt ?? now;
  const seen = data.seenAt ?? now;
  return Math.min(seen + options.idleMs, created + options.absoluteMs) + expiredRecordGraceMs;
}

/** Whether a session is past its idle or absolute deadline at `now`. */
export function sessionEnded(
  session: Pick<SessionData, 'createdAt' | 'seenAt'>,
  now: number,
  limits: Pick<SessionOptions, 'idleMs' | 'absoluteMs'>,
): 'idle' | 'absolute' | undefined {
  if (session.createdAt === undefined) return undefined;
  if (now - (session.seenAt ?? session.createdAt) >= limits.idleMs) return 'idle';
  if (now - session.createdAt >= limits.absoluteMs) return 'absolute';
  return undefined;
}

/**
 * koa-session with an external store: the cookie holds a 256-bit id and
 * nothing else. The cookie is a browser-session cookie; the real lifetime
 * (idle and absolute) is enforced here, against the injected clock.
 */
export function sessions(app: { use: unknown }, options: SessionOptions): Middleware[] {
  const { store, clock } = options;
  // Activity is recorded at most this often, so reading pages is not a store write each time.
  const touchMs = Math.min(60_000, Math.floor(options.idleMs / 10));
  const middleware = createSession(
    {
      key: options.cookieName,
      maxAge: 'session',
      httpOnly: true,
      sameSite: 'lax',
      secure: options.secure,
      signed: false,
      overwrite: true,
      genid: () => newSessionId(),
      store: {
        get: async (id: string) => store.get(id),
        set: async (id: string, data: SessionData & Record<string, unknown>) => {
          await store.set(id, data, expiresAt(data, options, clock.now().getTime()));
        },
        destroy: async (id: string) => store.destroy(id),
      },
      beforeSave: (ctx: { sessionOptions: { maxAge?: unknown } }, session: SessionData) => {
        // koa-session forgets 'session' after one save, so a request that saves
        // twice (regenerate, then the automatic commit) would turn the cookie
        // into a one-day persistent one. Lifetimes are enforced here anyway.
        ctx.sessionOptions.maxAge = 'session';
        const now = clock.now().getTime();
        session.createdAt ??= now;
        session.seenAt ??= now;
      },
    },
    app,
  );
  const secureCookies: Middleware = async (ctx, next) => {
    if (options.secure) ctx.cookies.secure = true;
    await next();
  };
  const lifetime: Middleware = async (ctx, next) => {
    const session = sessionOf(ctx);
    if (session.createdAt !== undefined) {
      const now = clock.now().getTime();
      const seen = session.seenAt ?? session.createdAt;
      const ended = sessionEnded(session, now, options);
      if (ended) {
        const idle = ended === 'idle';
        const user = session.user;
        if (user) options.onExpired?.(user, ctx);
        const text = idle
          ? 'You were logged out after a period of inactivity. Log in again to continue.'
          : 'For your security, sessions end after a while. Log in again to continue.';
        await regenerate(ctx, clock, user ? { flash: { kind: 'info', text } } : {});
      } else if (now - seen >= touchMs) {
        session.seenAt = now;
      }
    }
    await next();
  };
  return [secureCookies, middleware, lifetime];
}
