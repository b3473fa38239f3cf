/**
 * A browser as far as the server can tell: it keeps cookies, sends the
 * fetch-metadata headers a browser sends for a same-origin form, and reads
 * the form token out of the page, the way a person's browser submits it.
 */
export interface Page {
  status: number;
  headers: Headers;
  html: string;
  url: string;
  location: string | undefined;
  /** The first form token on the page. */
  csrf: string | undefined;
}

export interface RawCookie {
  name: string;
  value: string;
  attributes: string[];
  raw: string;
}

export function parseSetCookie(header: string): RawCookie {
  const [pair = '', ...attributes] = header.split(';').map((p) => p.trim());
  const eq = pair.indexOf('=');
  return {
    name: pair.slice(0, eq),
    value: pair.slice(eq + 1),
    attributes: attributes.map((a) => a.toLowerCase()),
    raw: header,
  };
}

export class Browser {
  readonly base: string;
  readonly jar = new Map<string, string>();
  /** Every Set-Cookie header received, in order. */
  readonly setCookies: RawCookie[] = [];
  last: Page | undefined;
  ip: string | undefined;

  constructor(base: string, options: { ip?: string } = {}) {
    this.base = base;
    this.ip = options.ip;
  }

  cookieHeader(): string {
    return [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async request(
    method: string,
    path: string,
    options: { form?: Record<string, string>; headers?: Record<string, string> } = {},
  ): Promise<Page> {
    const headers: Record<string, string> = {
      accept: 'text/html',
      'sec-fetch-site': method === 'GET' ? 'none' : 'same-origin',
      ...(this.jar.size ? { cookie: this.cookieHeader() } : {}),
      ...(this.ip ? { 'x-forwarded-for': this.ip } : {}),
      ...(options.form ? { 'content-type': 'application/x-www-form-urlencoded', origin: this.base } : {}),
      ...options.headers,
    };
    for (const [k, v] of Object.entries(headers)) if (v === '') delete headers[k];
    const url = new URL(path, this.base).toString();
    const res = await fetch(url, {
      method,
      headers,
      redirect: 'manual',
      ...(options.form ? { body: new URLSearchParams(options.form).toString() } : {}),
    });
    for (const header of res.headers.getSetCookie()) {
      const cookie = parseSetCookie(header);
      this.setCookies.push(cookie);
      const expired = cookie.value === '' || cookie.attributes.some((a) => a.startsWith('expires=thu, 01 jan 1970'));
      if (expired) this.jar.delete(cookie.name);
      else this.jar.set(cookie.name, cookie.value);
    }
    const html = await res.text();
    const page: Page = {
      status: res.status,
      headers: res.headers,
      html,
      url,
      location: res.headers.get('location') ?? undefined,
      csrf: /name="_csrf" value="([^"]+)"/.exec(html)?.[1],
    };
    this.last = page;
    return page;
  }

  get(path: string, headers?: Record<string, string>): Promise<Page> {
    return this.request('GET', path, headers ? { headers } : {});
  }

  /** Posts a form, adding the token of the last page unless the form carries its own `_csrf`. */
  post(path: string, form: Record<string, string>, headers?: Record<string, string>): Promise<Page> {
    const withToken = '_csrf' in form ? form : { _csrf: this.last?.csrf ?? '', ...form };
    return this.request('POST', path, { form: withToken, ...(headers ? { headers } : {}) });
  }

  /** Follows redirects like a browser (GET after 303), up to 5. */
  async follow(page: Page): Promise<Page> {
    let current = page;
    for (let i = 0; i < 5 && current.location; i++) current = await this.get(current.location);
    return current;
  }
}

/** The text of an HTML page with tags removed and whitespace folded, for readable assertions. */
export function textOf(html: string): string {
  return html
    .replace(/<style[\s\S]*?<\/style>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/\s+/g, ' ')
    .trim();
}
