/**
 * GitHub's pagination Link header: prev, next, last, first, each the
 * request's own URL with `page` replaced; absent when there is one page.
 */
export function linkHeader(requestUrl: string, page: number, lastPage: number): string | undefined {
  const at = (n: number) => {
    const url = new URL(requestUrl);
    url.searchParams.set('page', String(n));
    return `<${url.toString()}>`;
  };
  const links: string[] = [];
  if (page > 1) links.push(`${at(Math.min(page - 1, lastPage))}; rel="prev"`);
  if (page < lastPage) links.push(`${at(page + 1)}; rel="next"`, `${at(lastPage)}; rel="last"`);
  if (page > 1) links.push(`${at(1)}; rel="first"`);
  return links.length ? links.join(', ') : undefined;
}
