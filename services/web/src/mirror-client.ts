import { createServiceHttp, type CallContext } from './service-http.js';

export type OAuthPurpose = 'signin' | 'connect';

export interface OAuthStart {
  purpose: OAuthPurpose;
  /** The signed-in person, for connect. */
  userId?: string;
  /** The random value this browser's session holds: the state is only good together with it. */
  binding: string;
  private?: boolean;
}

/** What GitHub's redirect back to /github/callback carried. */
export interface CallbackParams {
  state?: string | undefined;
  code?: string | undefined;
  error?: string | undefined;
  error_description?: string | undefined;
}

export type OAuthResult =
  | { purpose: 'connect'; user_id: string; github: { id: number; login: string }; scope: string }
  | { purpose: 'signin'; github: { id: number; login: string; email?: string | null } };

export interface TokenUse {
  purpose: string;
  endpoint: string;
  at: string;
  request_id: string | null;
}

export interface Connection {
  login: string;
  id: number;
  scope: string;
  /** The granted scope covers private repositories. */
  privateAccess: boolean;
  connected_at: string | undefined;
  /** GitHub no longer accepts the stored token: the person must connect again. */
  broken: boolean;
  uses: TokenUse[];
}

export type MirrorStatus = 'queued' | 'running' | 'waiting' | 'succeeded' | 'failed';

export interface MirrorJob {
  id: string;
  status: MirrorStatus;
  stage: 'connect' | 'create_repository' | 'pack' | 'push' | 'verify';
  percent: number;
  message: string;
  waiting_until?: string | null;
  repository: { full_name: string; html_url: string } | null;
  error: { code: string; message: string } | null;
  created_at: string;
  updated_at: string;
}

export interface MirrorClient {
  /** Base URL, for the WebSocket bridge. */
  readonly baseUrl: string;
  startOAuth(start: OAuthStart, call: CallContext): Promise<string>;
  finishOAuth(params: CallbackParams, binding: string, call: CallContext): Promise<OAuthResult>;
  connection(accessToken: string, call: CallContext): Promise<Connection | null>;
  disconnect(accessToken: string, call: CallContext): Promise<void>;
  startMirror(accessToken: string, input: { private?: boolean }, call: CallContext): Promise<string>;
  /** The person's newest mirror job, if any. */
  latestMirror(accessToken: string, call: CallContext): Promise<MirrorJob | null>;
  close(): void;
}

export interface MirrorClientOptions {
  baseUrl: string;
  timeoutMs: number;
  serviceSecret: string;
}

/** The mirror service over HTTP: its internal OAuth endpoints (service credential) and its bearer API. */
export function createMirrorClient(options: MirrorClientOptions): MirrorClient {
  const http = createServiceHttp({ ...options, label: 'mirror service' });
  const serviceCredential = { user: 'web', secret: options.serviceSecret };
  const { send } = http;

  return {
    baseUrl: options.baseUrl,
    async startOAuth(start, call) {
      const body = {
        purpose: start.purpose,
        binding: start.binding,
        ...(start.userId ? { user_id: start.userId } : {}),
        ...(start.private === undefined ? {} : { private: start.private }),
      };
      const answer = (await send('POST', 'v1/internal/oauth/start', call, { body, serviceCredential })) as {
        authorization_url: string;
      };
      return answer.authorization_url;
    },
    async finishOAuth(params, binding, call) {
      const body = { ...definedOnly(params), binding };
      return (await send('POST', 'v1/internal/oauth/finish', call, { body, serviceCredential })) as OAuthResult;
    },
    async connection(accessToken, call) {
      const body = (await send('GET', 'v1/github/connection', call, { accessToken }).catch((err: unknown) => {
        if ((err as { status?: number }).status === 404) return null;
        throw err;
      })) as RawConnection | null;
      return body ? toConnection(body) : null;
    },
    async disconnect(accessToken, call) {
      await send('DELETE', 'v1/github/connection', call, { accessToken });
    },
    async startMirror(accessToken, input, call) {
      const body = (await send('POST', 'v1/mirrors', call, { body: input, accessToken })) as { id: string };
      return body.id;
    },
    async latestMirror(accessToken, call) {
      const body = (await send('GET', 'v1/mirrors', call, { accessToken })) as
        MirrorJob[] | { mirrors?: MirrorJob[]; items?: MirrorJob[] };
      const list = Array.isArray(body) ? body : (body.mirrors ?? body.items ?? []);
      return [...list].sort((a, b) => b.created_at.localeCompare(a.created_at))[0] ?? null;
    },
    close: () => http.close(),
  };
}

function definedOnly(params: CallbackParams): Record<string, string> {
  return Object.fromEntries(Object.entries(params).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

interface RawConnection {
  connected?: boolean;
  github?: { id: number; login: string };
  id?: number;
  login?: string;
  scope?: string;
  connected_at?: string;
  broken?: boolean;
  broken_at?: string | null;
  status?: string;
  uses?: TokenUse[];
}

// Read leniently: a page about the connection is better than an error about its shape.
function toConnection(raw: RawConnection): Connection | null {
  if (raw.connected === false) return null;
  const login = raw.github?.login ?? raw.login;
  if (!login) return null;
  return {
    login,
    id: raw.github?.id ?? raw.id ?? 0,
    scope: raw.scope ?? '',
    privateAccess: (raw.scope ?? '').split(/[\s,]+/).includes('repo'),
    connected_at: raw.connected_at,
    broken: raw.broken === true || Boolean(raw.broken_at) || raw.status === 'broken',
    uses: Array.isArray(raw.uses) ? raw.uses : [],
  };
}
