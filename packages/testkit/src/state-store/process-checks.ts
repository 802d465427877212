import { strict as assert } from "node:assert";
import type { StateChange } from "@switchyard/core";
import { runWorkers } from "./run-workers.ts";
import { eventually, pause, type StateStoreCheck } from "./state-store-check.ts";
import type { StateStoreTarget } from "./state-store-target.ts";

const LIVE = 60_000;
const PROCESSES = 4;

function workerOf(target: StateStoreTarget): { module: string; spec: unknown } {
  if (target.worker === undefined) throw new Error("the target has no worker");
  return target.worker;
}

/** Checks with several real processes (node:child_process) racing on one store. */
export const processChecks: readonly StateStoreCheck[] = [
  {
    id: "processes-increment",
    title: `${PROCESSES} processes incrementing one counter lose no step and never see the same value`,
    needs: "worker",
    async run(target) {
      const times = 25;
      const results = (await runWorkers(
        workerOf(target),
        Array.from({ length: PROCESSES }, () => ({
          kind: "increment" as const,
          key: "conf:p:n",
          times,
          ttlMs: LIVE,
        })),
      )) as number[][];
      const all = results.flat().sort((a, b) => a - b);
      assert.deepEqual(
        all,
        Array.from({ length: PROCESSES * times }, (_, i) => i + 1),
      );
      const store = await target.open();
      try {
        assert.equal((await store.get("conf:p:n"))?.value, String(PROCESSES * times));
      } finally {
        await store.close();
      }
    },
  },
  {
    id: "processes-set-if-absent",
    title: `${PROCESSES} processes racing setIfAbsent: exactly one wins and its value stays`,
    needs: "worker",
    async run(target) {
      const results = await runWorkers(
        workerOf(target),
        Array.from({ length: PROCESSES }, (_, i) => ({
          kind: "setIfAbsent" as const,
          key: "conf:p:s",
          value: `w${i}`,
          ttlMs: LIVE,
        })),
      );
      assert.equal(results.filter((won) => won === true).length, 1, `results ${JSON.stringify(results)}`);
      const store = await target.open();
      try {
        assert.equal((await store.get("conf:p:s"))?.value, `w${results.indexOf(true)}`);
      } finally {
        await store.close();
      }
    },
  },
  {
    id: "processes-keep-the-later",
    title: `${PROCESSES} processes extending one deadline: the latest survives`,
    needs: "worker",
    async run(target) {
      const durations = [40_000, 10_000, 55_000, 20_000].slice(0, PROCESSES);
      await runWorkers(
        workerOf(target),
        durations.map((inMs) => ({ kind: "extendDeadline" as const, key: "conf:p:d", inMs })),
      );
      const store = await target.open();
      try {
        const left = (await store.get("conf:p:d"))?.ttlMs ?? 0;
        assert.ok(left > Math.max(...durations) - 5000, `left ${left}`);
      } finally {
        await store.close();
      }
    },
  },
  {
    id: "processes-lease",
    title: `${PROCESSES} processes racing for a lease: one holds it; a holder that dies loses it at its TTL`,
    needs: "worker",
    async run(target) {
      const results = await runWorkers(
        workerOf(target),
        Array.from({ length: PROCESSES }, () => ({ kind: "lease" as const, key: "conf:p:l", ttlMs: LIVE })),
      );
      assert.equal(results.filter((held) => held === true).length, 1, `results ${JSON.stringify(results)}`);
      const [died] = await runWorkers(workerOf(target), [
        { kind: "lease", key: "conf:p:dead", ttlMs: 500, die: true },
      ]);
      assert.equal(died, true);
      const store = await target.open();
      try {
        assert.equal(
          await store.acquireLease("conf:p:dead", LIVE),
          undefined,
          "still held right after its holder died",
        );
        await pause(600);
        assert.ok((await store.acquireLease("conf:p:dead", LIVE)) !== undefined, "free once its TTL ran out");
      } finally {
        await store.close();
      }
    },
  },
  {
    id: "processes-subscribe",
    title: "a change written by another process reaches a subscriber here",
    needs: "worker",
    async run(target) {
      const store = await target.open();
      try {
        const seen: StateChange[] = [];
        const stop = store.subscribe("conf:p:sub:", (change) => seen.push(change));
        await pause(100);
        await runWorkers(workerOf(target), [{ kind: "set", key: "conf:p:sub:k", value: "v", ttlMs: LIVE }]);
        assert.ok(
          await eventually(() => seen.some((c) => c.key === "conf:p:sub:k" && c.kind === "set")),
          "set seen",
        );
        await runWorkers(workerOf(target), [{ kind: "delete", key: "conf:p:sub:k" }]);
        assert.ok(
          await eventually(() => seen.some((c) => c.key === "conf:p:sub:k" && c.kind === "delete")),
          "delete seen",
        );
        stop();
      } finally {
        await store.close();
      }
    },
  },
];
