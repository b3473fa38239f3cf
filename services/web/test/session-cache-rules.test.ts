import test from 'ava';
import { createSessionCache, type CachedSession } from '../src/session/session-cache.js';

// The orderings below are the ones real Postgres produces only by chance (a reply and a
// notification racing over two connections), so they are played against the cache itself.
const record = (sealed: string): CachedSession => ({ sealed, expiresAt: Date.now() + 3600_000 });

function activeCache(options: { maxEntries?: number; now?: () => number } = {}) {
  const cache = createSessionCache({
    maxEntries: options.maxEntries ?? 10,
    ...(options.now ? { now: options.now } : {}),
  });
  cache.resume();
  return cache;
}

test('a read that began before a change was announced → what it found is not kept', (t) => {
  const cache = activeCache();
  const settle = cache.reading('k');
  cache.invalidate('k');
  settle(record('old'));
  t.is(cache.lookup('k'), undefined);
});

test('a read that began and ended with no announcement → kept and served', (t) => {
  const cache = activeCache();
  cache.reading('k')(record('v'));
  t.is(cache.lookup('k')?.sealed, 'v');
});

test('a write ended after an announcement about its key → its record is not kept', (t) => {
  const cache = activeCache();
  const settle = cache.writing('k');
  cache.invalidate('k');
  settle(record('mine'));
  t.is(cache.lookup('k'), undefined);
});

test('a read during a write of the same key → keeps nothing; the write keeps its record', (t) => {
  const cache = activeCache();
  cache.reading('k')(record('before'));
  const write = cache.writing('k');
  t.is(cache.lookup('k'), undefined, 'the older record is dropped as the write starts');
  const read = cache.reading('k');
  read(record('before'));
  t.is(cache.lookup('k'), undefined);
  write(record('after'));
  t.is(cache.lookup('k')?.sealed, 'after');
});

test('two writes of one key overlapping → neither is kept (which committed last is unknown)', (t) => {
  const cache = activeCache();
  const first = cache.writing('k');
  const second = cache.writing('k');
  second(record('second'));
  first(record('first'));
  t.is(cache.lookup('k'), undefined);
  cache.writing('k')(record('alone'));
  t.is(cache.lookup('k')?.sealed, 'alone');
});

test('a failed write or a destroy → the key is dropped', (t) => {
  const cache = activeCache();
  cache.reading('k')(record('v'));
  cache.writing('k')(undefined);
  t.is(cache.lookup('k'), undefined);
});

test('suspended → nothing served or kept; resumed → starts empty', (t) => {
  const cache = activeCache();
  cache.reading('a')(record('a'));
  const pending = cache.reading('b');
  cache.suspend();
  t.is(cache.lookup('a'), undefined);
  cache.reading('c')(record('c'));
  cache.writing('d')(record('d'));
  cache.resume();
  pending(record('b'));
  t.like(cache.stats(), { hits: 0, misses: 0, entries: 0, active: true });
  t.is(cache.lookup('c'), undefined);
  t.is(cache.lookup('d'), undefined);
});

test('a read begun before a resume → what it found is not kept (announcements may have been missed meanwhile)', (t) => {
  const cache = activeCache();
  const settle = cache.reading('k');
  cache.resume();
  settle(record('old'));
  t.is(cache.lookup('k'), undefined);
});

test('more keys than maxEntries → the least recently used one goes', (t) => {
  const cache = activeCache({ maxEntries: 2 });
  cache.reading('a')(record('a'));
  cache.reading('b')(record('b'));
  t.truthy(cache.lookup('a'));
  cache.reading('c')(record('c'));
  t.truthy(cache.lookup('a'));
  t.is(cache.lookup('b'), undefined);
  t.truthy(cache.lookup('c'));
  t.is(cache.stats().entries, 2);
});

test('a record older than the max age → not served', (t) => {
  let now = 0;
  const cache = activeCache({ now: () => now });
  cache.reading('k')(record('v'));
  now = 9_999;
  t.truthy(cache.lookup('k'));
  now = 20_000;
  t.is(cache.lookup('k'), undefined);
});
