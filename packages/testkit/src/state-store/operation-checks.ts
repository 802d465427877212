import { strict as assert } from "node:assert";
import { isSwitchyardError, type StateChange } from "@switchyard/core";
import { eventually, pause, type StateStoreCheck, settleSubscription } from "./state-store-check.ts";

// TTLs long enough that a loaded machine still reads the entry before it expires, short enough
// that the suite does not crawl: expiry checks wait for the TTL the store answered, plus slack.
const LIVE = 60_000;
const SHORT = 400;
const SLACK = 60;

/** Checks of each operation's semantics on one or two handles. */
export const operationChecks: readonly StateStoreCheck[] = [
  {
    id: "get-set",
    title: "set then get answers the value and the TTL left; set replaces (last writer wins)",
    async run(target) {
      const store = await target.open();
      try {
        assert.equal(await store.get("conf:a"), undefined);
        await store.set("conf:a", "one", LIVE);
        const entry = await store.get("conf:a");
        assert.equal(entry?.value, "one");
        assert.ok(
          entry !== undefined && entry.ttlMs > 0 && entry.ttlMs <= LIVE,
          `ttlMs ${entry?.ttlMs} in (0, ${LIVE}]`,
        );
        await store.set("conf:a", "two", LIVE);
        assert.equal((await store.get("conf:a"))?.value, "two");
        await store.set("conf:empty", "", LIVE);
        assert.equal((await store.get("conf:empty"))?.value, "");
        const unicode = "ünïcödé ✓ \u0000 {json}";
        await store.set("conf:u", unicode, LIVE);
        assert.equal((await store.get("conf:u"))?.value, unicode);
      } finally {
        await store.close();
      }
    },
  },
  {
    id: "ttl-expiry",
    title: "an entry past its TTL is gone for every reader and may be written again",
    async run(target) {
      const [a, b] = [await target.open(), await target.open()];
      try {
        await a.set("conf:ttl", "v", SHORT);
        const left = (await b.get("conf:ttl"))?.ttlMs;
        assert.ok(left !== undefined && left <= SHORT, "the other handle reads the entry with its TTL");
        await pause(left + SLACK);
        assert.equal(await b.get("conf:ttl"), undefined);
        assert.equal(await a.get("conf:ttl"), undefined);
        assert.equal(await a.setIfAbsent("conf:ttl", "again", LIVE), true);
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    },
  },
  {
    id: "set-if-absent",
    title: "setIfAbsent writes only when no live entry exists",
    async run(target) {
      const store = await target.open();
      try {
        assert.equal(await store.setIfAbsent("conf:s", "first", LIVE), true);
        assert.equal(await store.setIfAbsent("conf:s", "second", LIVE), false);
        assert.equal((await store.get("conf:s"))?.value, "first");
        const racers = await Promise.all(
          Array.from({ length: 20 }, (_, i) => store.setIfAbsent("conf:race", `r${i}`, LIVE)),
        );
        assert.equal(racers.filter(Boolean).length, 1, "exactly one of twenty concurrent calls wins");
        assert.equal((await store.get("conf:race"))?.value, `r${racers.indexOf(true)}`);
      } finally {
        await store.close();
      }
    },
  },
  {
    id: "delete",
    title: "delete removes an entry and is quiet about a missing one",
    async run(target) {
      const store = await target.open();
      try {
        await store.set("conf:d", "v", LIVE);
        await store.delete("conf:d");
        assert.equal(await store.get("conf:d"), undefined);
        await store.delete("conf:never");
      } finally {
        await store.close();
      }
    },
  },
  {
    id: "keep-the-later",
    title: "extendDeadline keeps the later deadline, answers the time left and expires with it",
    async run(target) {
      const store = await target.open();
      try {
        const first = await store.extendDeadline("conf:dl", 30_000);
        assert.ok(first > 29_000 && first <= 30_000, `answered ${first}`);
        const shorter = await store.extendDeadline("conf:dl", 1000);
        assert.ok(shorter > 29_000, `a shorter deadline never replaces a longer one (answered ${shorter})`);
        const longer = await store.extendDeadline("conf:dl", 50_000);
        assert.ok(longer > 49_000 && longer <= 50_000, `a longer one does (answered ${longer})`);
        const racers = await Promise.all(
          [5000, 45_000, 1000, 60_000, 20_000].map((ms) => store.extendDeadline("conf:dl2", ms)),
        );
        const left = (await store.get("conf:dl2"))?.ttlMs ?? 0;
        assert.ok(
          left > 59_000,
          `concurrent extensions keep the latest deadline (left ${left}, answers ${racers})`,
        );
        const short = await store.extendDeadline("conf:dl3", SHORT);
        await pause(short + SLACK);
        assert.equal(await store.get("conf:dl3"), undefined, "the entry expires with its deadline");
      } finally {
        await store.close();
      }
    },
  },
  {
    id: "fixed-window-counter",
    title: "increment counts from 0 in a fixed window that later increments do not move",
    async run(target) {
      const store = await target.open();
      try {
        assert.equal(await store.increment("conf:n", 1, SHORT), 1);
        assert.equal(await store.increment("conf:n", 5, LIVE), 6);
        assert.equal(await store.increment("conf:n", -2, LIVE), 4);
        const left = (await store.get("conf:n"))?.ttlMs ?? 0;
        assert.ok(left <= SHORT, `the window is the first increment's (${left} ms left)`);
        assert.equal((await store.get("conf:n"))?.value, "4");
        await pause(left + SLACK);
        assert.equal(await store.increment("conf:n", 1, LIVE), 1, "a new window starts at 0");
        const all = await Promise.all(
          Array.from({ length: 50 }, () => store.increment("conf:many", 1, LIVE)),
        );
        assert.deepEqual(
          [...all].sort((x, y) => x - y),
          Array.from({ length: 50 }, (_, i) => i + 1),
          "fifty concurrent increments each see a distinct value",
        );
        await store.set("conf:text", "not a number", LIVE);
        await assert.rejects(store.increment("conf:text", 1, LIVE), (error) =>
          isSwitchyardError(error, "SWITCHYARD_ERR_STATE_STORE"),
        );
      } finally {
        await store.close();
      }
    },
  },
  {
    id: "lease",
    title: "a lease is exclusive until released or expired; a stale release does nothing",
    async run(target) {
      const [a, b] = [await target.open(), await target.open()];
      try {
        const held = await a.acquireLease("conf:l", SHORT);
        assert.ok(held !== undefined && held.key === "conf:l");
        assert.equal(await b.acquireLease("conf:l", LIVE), undefined, "another handle cannot take it");
        assert.equal(await a.acquireLease("conf:l", LIVE), undefined, "nor can the holder take it twice");
        await pause(SHORT + SLACK);
        const next = await b.acquireLease("conf:l", LIVE);
        assert.ok(next !== undefined, "an expired lease can be taken");
        await held.release();
        assert.equal(
          await a.acquireLease("conf:l", LIVE),
          undefined,
          "the first holder's late release did nothing",
        );
        await next.release();
        const again = await a.acquireLease("conf:l", LIVE);
        assert.ok(again !== undefined, "a released lease can be taken at once");
        await again.release();
        const racers = await Promise.all(
          Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).acquireLease("conf:l2", LIVE)),
        );
        assert.equal(racers.filter(Boolean).length, 1, "one of ten concurrent acquirers wins");
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    },
  },
  {
    id: "subscribe",
    title: "subscribe delivers set and delete from another handle, by prefix, and stops",
    async run(target) {
      const [a, b] = [await target.open(), await target.open()];
      try {
        const seen: StateChange[] = [];
        const stop = a.subscribe("conf:sub:", (change) => seen.push(change));
        assert.ok(await settleSubscription(b, seen, "conf:sub:probe"), "the subscription delivers at all");
        await b.set("conf:other", "x", LIVE);
        await b.set("conf:sub:1", "x", LIVE);
        assert.ok(
          await eventually(() => seen.some((c) => c.key === "conf:sub:1" && c.kind === "set")),
          "set seen",
        );
        await b.delete("conf:sub:1");
        assert.ok(
          await eventually(() => seen.some((c) => c.key === "conf:sub:1" && c.kind === "delete")),
          "delete seen",
        );
        await b.increment("conf:sub:n", 1, LIVE);
        await b.extendDeadline("conf:sub:d", LIVE);
        const lease = await b.acquireLease("conf:sub:l", LIVE);
        await lease?.release();
        assert.ok(
          await eventually(
            () =>
              ["conf:sub:n", "conf:sub:d", "conf:sub:l"].every((key) =>
                seen.some((c) => c.key === key && c.kind === "set"),
              ) && seen.some((c) => c.key === "conf:sub:l" && c.kind === "delete"),
          ),
          `increment, extendDeadline and a lease are announced (seen ${JSON.stringify(seen)})`,
        );
        assert.ok(!seen.some((c) => c.key === "conf:other"), "other prefixes are not delivered");
        stop();
        const count = seen.length;
        await b.set("conf:sub:2", "x", LIVE);
        await pause(300);
        assert.equal(seen.length, count, "nothing after unsubscribe");
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    },
  },
  {
    id: "bad-arguments",
    title: "bad TTLs, keys and steps reject with StateStoreError",
    async run(target) {
      const store = await target.open();
      try {
        const isStateError = (error: unknown): boolean =>
          isSwitchyardError(error, "SWITCHYARD_ERR_STATE_STORE");
        for (const ttl of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
          await assert.rejects(store.set("conf:bad", "v", ttl), isStateError, `ttl ${ttl}`);
        }
        await assert.rejects(store.set("", "v", LIVE), isStateError);
        await assert.rejects(store.increment("conf:bad", 1.5, LIVE), isStateError);
        await assert.rejects(store.extendDeadline("conf:bad", 0), isStateError);
        await assert.rejects(store.acquireLease("conf:bad", -5), isStateError);
      } finally {
        await store.close();
      }
    },
  },
  {
    id: "close",
    title: "close releases the handle: later operations reject, other handles go on",
    async run(target) {
      const [a, b] = [await target.open(), await target.open()];
      try {
        await a.set("conf:c", "v", LIVE);
        await a.close();
        await assert.rejects(a.get("conf:c"), (error) =>
          isSwitchyardError(error, "SWITCHYARD_ERR_STATE_STORE"),
        );
        assert.equal((await b.get("conf:c"))?.value, "v");
        await a.close();
      } finally {
        await b.close();
      }
    },
  },
];
