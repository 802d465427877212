import { strict as assert } from "node:assert";
import type { StateChange } from "@switchyard/core";
import { eventually, pause, type StateStoreCheck, settleSubscription } from "./state-store-check.ts";
import { startWorkerPool } from "./worker-pool.ts";

const LIVE = 60_000;
const PROCESSES = 4;

/**
 * The races, from several real processes (node:child_process) on one store. One check with one
 * pool of processes, run in phases, because starting Node processes is what costs here.
 */
export const processChecks: readonly StateStoreCheck[] = [
  {
    id: "processes",
    title: `${PROCESSES} real processes: counters lose no step, one setIfAbsent and one lease win, the latest deadline survives, changes cross processes, a dead holder's lease expires`,
    needs: "worker",
    async run(target) {
      if (target.worker === undefined) throw new Error("the target has no worker");
      const pool = await startWorkerPool(target.worker, PROCESSES);
      const store = await target.open();
      try {
        const seen: StateChange[] = [];
        store.subscribe("conf:p:", (change) => seen.push(change));
        assert.ok(await settleSubscription(store, seen, "conf:p:probe"), "the subscription delivers at all");

        const times = 25;
        const counts = (await pool.run(
          Array.from({ length: PROCESSES }, () => ({
            kind: "increment" as const,
            key: "conf:p:n",
            times,
            ttlMs: LIVE,
          })),
        )) as number[][];
        assert.deepEqual(
          counts.flat().sort((a, b) => a - b),
          Array.from({ length: PROCESSES * times }, (_, i) => i + 1),
          "increments: every value seen exactly once",
        );
        assert.equal((await store.get("conf:p:n"))?.value, String(PROCESSES * times));

        const wins = await pool.run(
          Array.from({ length: PROCESSES }, (_, i) => ({
            kind: "setIfAbsent" as const,
            key: "conf:p:s",
            value: `w${i}`,
            ttlMs: LIVE,
          })),
        );
        assert.equal(
          wins.filter((won) => won === true).length,
          1,
          `setIfAbsent: one winner of ${JSON.stringify(wins)}`,
        );
        assert.equal((await store.get("conf:p:s"))?.value, `w${wins.indexOf(true)}`);

        const durations = [40_000, 10_000, 55_000, 20_000];
        await pool.run(durations.map((inMs) => ({ kind: "extendDeadline" as const, key: "conf:p:d", inMs })));
        const left = (await store.get("conf:p:d"))?.ttlMs ?? 0;
        assert.ok(left > 50_000, `extendDeadline: the latest deadline survives (left ${left})`);

        await pool.run([{ kind: "set", key: "conf:p:x", value: "v", ttlMs: LIVE }]);
        await pool.run([{ kind: "delete", key: "conf:p:x" }]);
        assert.ok(
          await eventually(() =>
            ["set", "delete"].every((kind) => seen.some((c) => c.key === "conf:p:x" && c.kind === kind)),
          ),
          `subscribe: another process's set and delete arrive (seen ${JSON.stringify(seen.filter((c) => c.key === "conf:p:x"))})`,
        );

        const held = await pool.run(
          Array.from({ length: PROCESSES }, () => ({ kind: "lease" as const, key: "conf:p:l", ttlMs: 800 })),
        );
        assert.equal(
          held.filter((h) => h === true).length,
          1,
          `lease: one holder of ${JSON.stringify(held)}`,
        );
        await pool.kill(held.indexOf(true));
        assert.equal(
          await store.acquireLease("conf:p:l", LIVE),
          undefined,
          "lease: still held right after its holder died",
        );
        await pause(900);
        assert.ok(
          (await store.acquireLease("conf:p:l", LIVE)) !== undefined,
          "lease: free once its TTL ran out",
        );
      } finally {
        await store.close();
        await pool.close();
      }
    },
  },
];
