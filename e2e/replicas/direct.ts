// Requests of the kill test that must not ride a keep-alive connection nginx may
// close on reload (the killer reloads it): each on a connection of its own. Also
// what it reads from maildev and the GitHub stand-in.
import { request } from 'node:http';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function send(target: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
  return new Promise<Reply>((resolve, reject) => {
    const req = request(
      target,
      { method: options.method ?? 'GET', headers: options.headers, agent: false, timeout: 10_000 },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${target}: timed out`)));
    req.on('error', reject);
    req.end(options.body);
  });
}

/** What each service's replica answers for a refused token or session. */
const probes: Record<string, (base: string, who: { token: string; session: string }) => Promise<boolean>> = {
  auth: async (base, { token }) =>
    (await send(`${base}/v1/me`, { headers: { authorization: `Bearer ${token}` } })).status === 401,
  mirror: async (base, { token }) =>
    (await send(`${base}/v1/mirrors`, { headers: { authorization: `Bearer ${token}` } })).status === 401,
  // web's pages go by the session cookie: a logged-out one is sent to the login page.
  web: async (base, { session }) => {
    const reply = await send(`${base}/account`, { headers: { cookie: session } });
    return reply.status >= 300 && reply.status < 400 && String(reply.headers.location).startsWith('/login');
  },
};

export const direct = {
  async login(base: string, person: { username: string; password: string }): Promise<string> {
    const reply = await send(new URL('/api/auth/v1/token', base).toString(), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'password',
        username: person.username,
        password: person.password,
      }).toString(),
    });
    if (reply.status !== 200) throw new Error(`password grant answered ${reply.status}: ${reply.body}`);
    return (JSON.parse(reply.body) as { access_token: string }).access_token;
  },

  async logout(base: string, token: string): Promise<number> {
    const reply = await send(new URL('/api/auth/v1/logout', base).toString(), {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ scope: 'local' }),
    });
    return reply.status;
  },

  /** Milliseconds until the replica at `base` refused, or undefined if it still accepted after `withinMs`. */
  async refusedWithin(
    service: string,
    base: string,
    who: { token: string; session: string },
    withinMs: number,
  ): Promise<number | undefined> {
    const probe = probes[service];
    if (!probe) throw new Error(`no refusal probe for ${service}`);
    const started = performance.now();
    while (performance.now() - started <= withinMs) {
      if (await probe(base, who)) return Math.round(performance.now() - started);
      await new Promise((r) => setTimeout(r, 50));
    }
    return undefined;
  },

  async mailsTo(mailUrl: string, address: string): Promise<{ subject: string }[]> {
    const mails = JSON.parse((await send(`${mailUrl}/api/email`)).body) as {
      subject?: string;
      to?: { address: string }[];
    }[];
    return mails
      .filter((m) => (m.to ?? []).some((r) => r.address.toLowerCase() === address.toLowerCase()))
      .map((m) => ({ subject: m.subject ?? '' }));
  },

  /** The repository paths the stand-in's page of `login` lists. */
  async repositoriesOf(sandboxUrl: string, login: string): Promise<string[]> {
    const page = (await send(`${sandboxUrl}/${login}`)).body;
    const links = [...page.matchAll(/<li><a href="(\/[^"/]+\/[^"]+)">/g)].map((m) => m[1]!);
    return [...new Set(links)];
  },

  /** The files the stand-in's repository page lists (its default branch). */
  async filesOf(sandboxUrl: string, repository: string): Promise<string[]> {
    const page = (await send(`${sandboxUrl}/${repository}`)).body;
    const list = /<ul class="list files">([\s\S]*?)<\/ul>/.exec(page)?.[1] ?? '';
    return [...list.matchAll(/<li>([^<]*)<\/li>/g)].map((m) => m[1]!);
  },
};
