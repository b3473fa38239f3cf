import test from 'ava';
import { createBudget } from '../src/connection-budget.js';

const settled = async <T>(promise: Promise<T>, ms = 50) =>
  Promise.race([promise.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms))]);

test('databases past the budget → the request waits until enough are given back, first come first served', async (t) => {
  const budget = createBudget(3, 60_000);
  const [a, b] = await budget.reserve(2);
  const pair = budget.reserve(2);
  const single = budget.reserve(1);
  t.false(await settled(pair), 'two more do not fit beside two');
  t.false(await settled(single), 'one would fit, but it came after the pair');
  a!();
  a!(); // giving the same database back twice counts once
  t.true(await settled(pair));
  t.false(await settled(single), 'the pair took the two that were free');
  b!();
  t.true(await settled(single));
});

test('a request larger than the whole budget → let in for the budget’s size once all is free', async (t) => {
  const budget = createBudget(2, 60_000);
  const [held] = await budget.reserve(1);
  const large = budget.reserve(5);
  t.false(await settled(large));
  held!();
  const releases = await large;
  t.is(releases.length, 5);
  for (const release of releases) release();
  t.true(await settled(budget.reserve(2)), 'the extra three gave nothing back they had not taken');
  t.false(await settled(budget.reserve(1)));
});

test('a queue that does not move for the stall time → its head is let in over the budget, never a hang', async (t) => {
  const budget = createBudget(2, 200);
  // Two tests each hold one database and then ask for a second: each waits on the other.
  const [first] = await budget.reserve(1);
  const [second] = await budget.reserve(1);
  const firstMore = budget.reserve(1);
  const secondMore = budget.reserve(1);
  t.false(await settled(firstMore, 100));
  t.true(await settled(firstMore, 400), 'the head is let in after the stall');
  t.true(await settled(secondMore, 400), 'and so is the next, one stall later');
  first!();
  second!();
});

test('a queue that moves → nobody is let in over the budget, however long the wait', async (t) => {
  const budget = createBudget(1, 150);
  let inUse = 0;
  let most = 0;
  const take = async () => {
    const [release] = await budget.reserve(1);
    most = Math.max(most, (inUse += 1));
    return () => {
      inUse -= 1;
      release!();
    };
  };
  let holder = await take();
  // A steady queue for 600 ms, four stall times: each holder gives its database back after 100 ms.
  for (let round = 0; round < 6; round += 1) {
    const next = take();
    void take().then((release) => release());
    await new Promise((resolve) => setTimeout(resolve, 100));
    holder();
    holder = await next;
  }
  holder();
  await new Promise((resolve) => setTimeout(resolve, 300));
  t.is(most, 1);
});
