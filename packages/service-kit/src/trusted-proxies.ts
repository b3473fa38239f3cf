import { BlockList, isIP } from 'node:net';
import type { Middleware } from 'koa';

/** The local run's nginx (and web calling auth or the mirror) is on loopback; compose sets its own network. */
export const defaultTrustedProxies = '127.0.0.0/8,::1';

// Headers a proxy sets about the client; from anyone else they are whatever the client wanted them to say.
const forwardedHeaders = ['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host'];

/** A TRUSTED_PROXIES entry's problem (an address or CIDR), or undefined when it is one. */
export function proxyEntryProblem(entry: string): string | undefined {
  const [address = '', prefix, extra] = entry.split('/');
  const family = isIP(address);
  if (!family || extra !== undefined) return `"${entry}" is not an address or CIDR`;
  if (prefix === undefined) return undefined;
  const bits = Number(prefix);
  const max = family === 4 ? 32 : 128;
  return /^\d+$/.test(prefix) && bits <= max ? undefined : `"${entry}" has a prefix outside 0–${max}`;
}

function blockListOf(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address = '', prefix] = entry.split('/');
    const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(prefix), type);
  }
  return list;
}

/**
 * ctx.ip from the proxies this service was told to trust, and only from them.
 * A peer outside the list has its X-Forwarded-* headers dropped, so neither
 * ctx.ip nor ctx.protocol/ctx.host can be forged by a client that reaches the
 * service directly. From a trusted peer, the client is the rightmost
 * X-Forwarded-For address that is not itself a trusted proxy.
 */
export function trustedProxies(entries: readonly string[]): Middleware {
  const trusted = blockListOf(entries);
  const isTrusted = (address: string) => {
    const type = isIP(address);
    return type !== 0 && trusted.check(address, type === 6 ? 'ipv6' : 'ipv4');
  };
  return (ctx, next) => {
    const peer = ctx.req.socket.remoteAddress ?? '';
    if (!isTrusted(peer)) {
      for (const name of forwardedHeaders) delete ctx.req.headers[name];
      ctx.request.ip = peer;
      return next();
    }
    const chain = (ctx.get('x-forwarded-for') || '')
      .split(',')
      .map((hop) => hop.trim())
      .filter((hop) => hop !== '');
    let client = peer;
    for (let i = chain.length - 1; i >= 0; i--) {
      const hop = chain[i]!;
      // A hop that is not an address at all is as far as the chain can be believed.
      if (!isIP(hop)) break;
      client = hop;
      if (!isTrusted(hop)) break;
    }
    ctx.request.ip = client;
    return next();
  };
}
