// A process of the multi-process checks: opens a handle onto the target's backing, then for each
// task reports "ready", waits for "go" (so that every process starts at once), runs the task and
// reports its result over IPC. Ends on "close".
import type { StateStore } from "@switchyard/core";
import type { WorkerTask } from "./worker-task.ts";

type Message =
  | { open: { module: string; spec: unknown } }
  | { task: WorkerTask }
  | { go: true }
  | { close: true };

let store: StateStore | undefined;
let pending: WorkerTask | undefined;

async function run(task: WorkerTask): Promise<unknown> {
  if (store === undefined) throw new Error("no store");
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
    case "lease":
      // The lease is not released: a process killed while holding it must lose it at its TTL.
      return (await store.acquireLease(task.key, task.ttlMs)) !== undefined;
    case "set":
      await store.set(task.key, task.value, task.ttlMs);
      return true;
    case "delete":
      await store.delete(task.key);
      return true;
  }
}

function reply(message: Record<string, unknown>): void {
  process.send?.(message);
}

process.on("message", (message: Message) => {
  if ("open" in message) {
    // pick-and-mix: the caller's own module (the store factory module the suite was given)
    import(message.open.module)
      .then((mod: { openStateStore(spec: unknown): Promise<StateStore> }) =>
        mod.openStateStore(message.open.spec),
      )
      .then(
        (opened) => {
          store = opened;
          reply({ result: "open" });
        },
        (error: unknown) => reply({ error: String(error) }),
      );
  } else if ("task" in message) {
    pending = message.task;
    reply({ result: "ready" });
  } else if ("go" in message) {
    const task = pending;
    pending = undefined;
    if (task === undefined) return reply({ error: "go without a task" });
    run(task).then(
      (result) => reply({ result }),
      (error: unknown) => reply({ error: String(error) }),
    );
  } else if ("close" in message) {
    void (store?.close() ?? Promise.resolve()).finally(() => process.disconnect());
  }
});
