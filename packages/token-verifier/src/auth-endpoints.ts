import { parseFeedMessage, type FeedMessage } from './feed-messages.js';

/** How a service proves itself to auth's internal endpoints (HTTP Basic `<service>:<secret>`). */
export interface ServiceCredentials {
  service: string;
  secret: string;
}

/** Auth's internal endpoints a verifier reads: catch-up, the stream, introspection. */
export class AuthEndpoints {
  readonly authorization: string;

  constructor(
    readonly authUrl: string,
    credentials: ServiceCredentials,
    private readonly timeoutMs: number,
  ) {
    this.authorization = `Basic ${Buffer.from(`${credentials.service}:${credentials.secret}`).toString('base64')}`;
  }

  url(path: string): string {
    return new URL(path, this.authUrl).toString();
  }

  /** Every still-relevant revocation after `afterSeq`. */
  async catchUp(afterSeq: number): Promise<FeedMessage> {
    const response = await fetch(this.url(`/v1/revocations?after=${afterSeq}`), {
      headers: { authorization: this.authorization },
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    if (!response.ok) throw new Error(`revocation catch-up answered ${response.status}`);
    const message = parseFeedMessage(await response.text());
    if (message?.type !== 'catchup') throw new Error('revocation catch-up answered something else');
    return message;
  }

  /** RFC 7662: whether auth itself still calls the token active. */
  async introspect(token: string): Promise<boolean> {
    const response = await fetch(this.url('/v1/introspect'), {
      method: 'POST',
      headers: { authorization: this.authorization, 'content-type': 'application/json' },
      body: JSON.stringify({ token }),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    if (!response.ok) throw new Error(`introspection answered ${response.status}`);
    return ((await response.json()) as { active?: unknown }).active === true;
  }
}
