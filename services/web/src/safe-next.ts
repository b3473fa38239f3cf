const base = 'http://gatehouse.invalid';
/**
 * Backslashes (browsers read "/\evil" as "//evil"), control characters and
 * whitespace (URL parsers strip them, so "/\t/evil" becomes "//evil").
 */
function suspicious(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c <= 0x20 || c === 0x7f || c === 0x5c) return true;
  }
  return false;
}

/**
 * Where to send someone after login: a path on this site, or the fallback.
 * Anything that could leave the origin (scheme, "//host", "/\host", their
 * percent-encoded forms) is not repaired but replaced.
 */
export function safeNext(raw: unknown, fallback = '/account'): string {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > 2048) return fallback;
  if (!raw.startsWith('/') || raw.startsWith('//') || suspicious(raw)) return fallback;
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return fallback;
  }
  if (decoded.startsWith('//') || suspicious(decoded)) return fallback;
  let url: URL;
  try {
    url = new URL(raw, base);
  } catch {
    return fallback;
  }
  if (url.origin !== base) return fallback;
  return url.pathname + url.search + url.hash;
}
