import test from 'ava';
import { RateLimiter } from '../src/index.js';

test('like nginx limit_req burst=5 nodelay: 6 pass at once, the 7th is refused, the budget refills at the rate', (t) => {
  let now = 0;
  const limiter = new RateLimiter({ perMinute: 6, burst: 5, now: () => now });
  const first = Array.from({ length: 7 }, () => limiter.take('10.0.0.1'));
  t.deepEqual(first, [true, true, true, true, true, true, false]);
  t.true(limiter.take('10.0.0.2'), 'another address has its own budget');
  now += 5_000;
  t.false(limiter.take('10.0.0.1'), 'half a slot is not a slot');
  now += 5_000;
  t.true(limiter.take('10.0.0.1'), 'one slot back after 10 s at 6/min');
  t.false(limiter.take('10.0.0.1'));
});

test('a refused request does not count against the budget', (t) => {
  let now = 0;
  const limiter = new RateLimiter({ perMinute: 60, burst: 1, now: () => now });
  t.true(limiter.take('a'));
  t.true(limiter.take('a'));
  for (let i = 0; i < 50; i++) t.false(limiter.take('a'));
  now += 1000;
  t.true(limiter.take('a'), 'one second at 60/min frees one slot, whatever was refused meanwhile');
});
