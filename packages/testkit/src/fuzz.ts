import fc from 'fast-check';
import { badValue, brokenForm, brokenJson, contentTypes, segment, text, value } from './fuzz-values.js';
import type { Endpoint } from './routes.js';

/** One malformed request, as sent. */
export interface FuzzRequest {
  method: string;
  path: string;
  contentType: string | undefined;
  body: string | undefined;
}

export interface FuzzFailure {
  request: FuzzRequest;
  status: number;
  answer: string;
}

export interface FuzzOptions {
  base: string;
  endpoints: Endpoint[];
  /** Field names the service's schemas use, so bodies reach past "unknown field". */
  fields: readonly string[];
  /**
   * What every request carries to get past authentication (a bearer token, a
   * session cookie) and the fields a form always has (web's `_csrf`).
   */
  headersFor?: (endpoint: Endpoint) => Record<string, string>;
  fixedFields?: Record<string, string>;
  /**
   * A body each endpoint accepts, by `METHOD /path` as routesOf names it. Variants change one field at a
   * time, so a bad value reaches the code behind validation rather than stopping at the first check.
   */
  examples?: Record<string, Record<string, unknown>>;
  /** Variants per endpoint. */
  runs: number;
  seed?: number;
}

function queryOf(fields: fc.Arbitrary<string>) {
  return fc.oneof(
    fc.constant(''),
    fc.dictionary(fields, text, { maxKeys: 3 }).map((q) => `?${new URLSearchParams(q)}`),
    fc.constantFrom(
      '?%00',
      '?a=%ED%A0%80',
      '?page=-1&per_page=99999999',
      '?next=//evil.example',
      '?a=1&a=2',
      '?=',
      '?%',
    ),
  );
}

/** An endpoint's pattern with each parameter (`:id`, `*rest`) replaced. */
function pathOf(pattern: string) {
  const params = pattern.match(/[:*]\w+/g) ?? [];
  return fc
    .tuple(...params.map(() => segment))
    .map((values) => values.reduce((path, v, i) => path.replace(params[i]!, v), pattern));
}

function requestOf(endpoint: Endpoint, options: FuzzOptions): fc.Arbitrary<FuzzRequest> {
  const fields = fc.oneof(
    { arbitrary: fc.constantFrom(...options.fields), weight: 6 },
    { arbitrary: fc.constantFrom('__proto__', 'constructor', 'a\u0000b', ''), weight: 1 },
    { arbitrary: fc.string({ maxLength: 8 }), weight: 1 },
  );
  const fixed = options.fixedFields ?? {};
  const example = options.examples?.[`${endpoint.method} ${endpoint.path}`];
  const generic = fc
    .tuple(fc.dictionary(fields, value, { maxKeys: 4 }), fc.boolean())
    .map(([fuzzed, keepFixed]) => ({ ...(keepFixed ? fixed : {}), ...fuzzed }));
  const object = example
    ? fc.oneof(
        { arbitrary: generic, weight: 1 },
        {
          arbitrary: fc
            .tuple(fc.constantFrom(...Object.keys(example)), badValue)
            .map(([field, bad]) => ({ ...fixed, ...example, [field]: bad })),
          weight: 3,
        },
      )
    : generic;
  const formText = (o: Record<string, unknown>) =>
    new URLSearchParams(
      Object.entries(o).map(([k, v]): [string, string] => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
    ).toString();
  // Mostly labelled as what it is, so it gets past the content-type check to the code behind it.
  const labelled = (type: string, body: fc.Arbitrary<string>) =>
    fc.tuple(fc.oneof({ arbitrary: fc.constant(type), weight: 5 }, contentTypes), body);
  const payload = fc.oneof(
    {
      arbitrary: labelled(
        'application/json',
        object.map((o) => JSON.stringify(o)),
      ),
      weight: 4,
    },
    { arbitrary: labelled('application/x-www-form-urlencoded', object.map(formText)), weight: 3 },
    { arbitrary: labelled('application/json', brokenJson), weight: 1 },
    { arbitrary: labelled('application/x-www-form-urlencoded', brokenForm), weight: 1 },
    { arbitrary: fc.tuple(contentTypes, fc.string({ unit: 'binary', maxLength: 64 })), weight: 1 },
    { arbitrary: fc.tuple(contentTypes, fc.constant(undefined)), weight: 1 },
  );
  const hasBody = !['GET', 'HEAD', 'OPTIONS'].includes(endpoint.method);
  return fc
    .tuple(pathOf(endpoint.path), queryOf(fields), hasBody ? payload : fc.constant([undefined, undefined] as const))
    .map(([path, query, [contentType, body]]) => ({ method: endpoint.method, path: path + query, contentType, body }));
}

async function send(base: string, request: FuzzRequest, headers: Record<string, string>) {
  const res = await fetch(base + request.path, {
    method: request.method,
    redirect: 'manual',
    headers: { ...headers, ...(request.contentType ? { 'content-type': request.contentType } : {}) },
    ...(request.body === undefined ? {} : { body: request.body }),
  });
  // Only a failure's answer is worth reading (and a feed's would never end).
  if (res.status < 500) {
    await res.body?.cancel();
    return { status: res.status, answer: '' };
  }
  return { status: res.status, answer: (await res.text()).slice(0, 300) };
}

/**
 * Sends every endpoint `runs` malformed variants (bodies, content types,
 * queries, path parameters) and returns every one answered with a 5xx,
 * shrunk by fast-check to the smallest request that still fails.
 */
export async function fuzzEndpoints(options: FuzzOptions): Promise<FuzzFailure[]> {
  const failures: FuzzFailure[] = [];
  for (const endpoint of options.endpoints) {
    let last: FuzzFailure | undefined;
    const details = await fc.check(
      fc.asyncProperty(requestOf(endpoint, options), async (request) => {
        const { status, answer } = await send(options.base, request, options.headersFor?.(endpoint) ?? {});
        if (status >= 500) last = { request: { ...request, body: request.body?.slice(0, 300) }, status, answer };
        return status < 500;
      }),
      { numRuns: options.runs, ...(options.seed === undefined ? {} : { seed: options.seed }) },
    );
    if (details.failed && last) failures.push(last);
    if (details.failed && !last)
      throw details.errorInstance ?? new Error(`fuzzing ${endpoint.method} ${endpoint.path} failed`);
  }
  return failures;
}
