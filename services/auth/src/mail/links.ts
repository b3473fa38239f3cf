/** An absolute link into the site for a mail, with the token in its query when given. */
export function link(publicUrl: string, path: string, token?: string): string {
  const url = new URL(path, publicUrl);
  if (token) url.searchParams.set('token', token);
  return url.toString();
}
