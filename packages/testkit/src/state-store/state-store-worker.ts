// A child process of the multi-process checks: opens a handle onto the target's backing, waits
// for "go" (so that every child starts at once), runs one task and reports its result over IPC.
import type { StateStore } from "@switchyard/core";
import type { WorkerTask } from "./worker-task.ts";

interface Start {
  readonly module: string;
  readonly spec: unknown;
  readonly task: WorkerTask;
}

async function run(store: StateStore, task: WorkerTask): Promise<unknown> {
  switch (task.kind) {
    case "increment": {
      const seen: number[] = [];
      for (let i = 0; i < task.times; i++) seen.push(await store.increment(task.key, 1, task.ttlMs));
      return seen;
    }
    case "setIfAbsent":
      return store.setIfAbsent(task.key, task.value, task.ttlMs);
    case "extendDeadline":
      return store.extendDeadline(task.key, task.inMs);
    case "lease": {
      const lease = await store.acquireLease(task.key, task.ttlMs);
      return lease !== undefined;
    }
    case "set":
      await store.set(task.key, task.value, task.ttlMs);
      return true;
    case "delete":
      await store.delete(task.key);
      return true;
  }
}

process.once("message", (message: Start) => {
  void (async () => {
    const mod = (await import(message.module)) as { openStateStore(spec: unknown): Promise<StateStore> };
    const store = await mod.openStateStore(message.spec);
    process.send?.({ ready: true });
    process.once("message", () => {
      void run(store, message.task).then(
        async (result) => {
          // A task that holds a lease dies with it held: the lease must expire on its own.
          if (!(message.task.kind === "lease" && message.task.die)) await store.close();
          process.send?.({ result }, () => process.exit(0));
        },
        (error: unknown) => {
          process.send?.({ error: String(error) }, () => process.exit(1));
        },
      );
    });
  })().catch((error: unknown) => {
    process.send?.({ error: String(error) }, () => process.exit(1));
  });
});
