import { strict as assert } from "node:assert";
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { guardStateStore } from "@switchyard/core";
import { eventually, type StateStoreCheck } from "./state-store-check.ts";

const LIVE = 60_000;

async function withEvents<T>(body: (events: Record<string, unknown>[]) => Promise<T>): Promise<T> {
  const events: Record<string, unknown>[] = [];
  const listener = (message: unknown): void => {
    events.push(message as Record<string, unknown>);
  };
  subscribe("switchyard:core:state-store", listener);
  try {
    return await body(events);
  } finally {
    unsubscribe("switchyard:core:state-store", listener);
  }
}

/** Store-down checks through core's guard: a fallback, an event, a circuit, then recovery. */
export const outageChecks: readonly StateStoreCheck[] = [
  {
    id: "outage-hang",
    title: "a hung store: the guard answers the fallback within its bounded wait, stops asking, recovers",
    needs: "hang",
    async run(target) {
      const store = await target.open();
      const outage = target.outage;
      assert.ok(outage?.hang && outage.resume);
      let t = 0;
      const guard = guardStateStore(store, {
        plugin: "conformance",
        timeoutMs: 50,
        now: () => t,
        random: () => 0,
      });
      try {
        await withEvents(async (events) => {
          // Straight to the store: the first call also connects and loads scripts, which may take
          // longer than the guard's bounded wait on a loaded machine.
          await store.set("conf:o:k", "v", LIVE);
          await store.get("conf:o:k");
          await outage.hang?.();
          try {
            assert.equal(await guard.run("get", (s) => s.get("conf:o:k"), "local"), "local");
            assert.equal(guard.isOpen, true);
            assert.deepEqual(
              events.map((e) => [e.event, e.reason]),
              [["failure", "timeout"]],
            );
            assert.equal(
              await guard.run("get", (s) => s.get("conf:o:k"), "local"),
              "local",
              "open: answered locally",
            );
          } finally {
            await outage.resume?.();
          }
          const recovered = await eventually(
            async () => {
              t += 60_000;
              const entry = await guard.run("get", (s) => s.get("conf:o:k"), "local");
              return typeof entry === "object" && entry?.value === "v";
            },
            10_000,
            50,
          );
          assert.ok(recovered, "the guard reads the store again once it answers");
          assert.equal(guard.isOpen, false);
          assert.equal(events.at(-1)?.event, "recovered");
        });
      } finally {
        await store.close();
      }
    },
  },
  {
    id: "outage-crash",
    title: "a crashed store: the guard answers the fallback, and recovers after a restart",
    needs: "crash",
    async run(target) {
      const store = await target.open();
      const outage = target.outage;
      assert.ok(outage?.crash && outage.restart);
      let t = 0;
      const guard = guardStateStore(store, {
        plugin: "conformance",
        timeoutMs: 50,
        now: () => t,
        random: () => 0,
      });
      try {
        await withEvents(async (events) => {
          assert.equal(await store.increment("conf:o:n", 1, LIVE), 1);
          await outage.crash?.();
          for (let i = 0; i < 5; i++) {
            t += 60_000;
            assert.equal(await guard.run("increment", (s) => s.increment("conf:o:n", 1, LIVE), -1), -1);
          }
          assert.ok(events.length >= 1 && events.every((e) => e.event === "failure"));
          await outage.restart?.();
          const recovered = await eventually(
            async () => {
              t += 60_000;
              return (await guard.run("set", (s) => s.set("conf:o:after", "v", LIVE), "down")) === undefined;
            },
            10_000,
            50,
          );
          assert.ok(recovered, "the guard writes to the store again once it is back");
          assert.equal(events.at(-1)?.event, "recovered");
          assert.equal((await store.get("conf:o:after"))?.value, "v");
        });
      } finally {
        await store.close();
      }
    },
  },
];
