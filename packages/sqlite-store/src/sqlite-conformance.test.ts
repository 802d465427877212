import { join } from "node:path";
import { createPeerTempDir } from "@switchyard/testkit/process";
import { describeStateStoreConformance } from "@switchyard/testkit/state-store";
import { describe, it } from "vitest";
import { sqliteStore } from "./sqlite-store.ts";

describeStateStoreConformance(
  "sqlite",
  async () => {
    const dir = await createPeerTempDir("sqlite-store");
    const path = join(dir.path, "state.db");
    return {
      // Several processes write at once in the process checks: a generous lock wait there.
      open: async () => sqliteStore({ path, busyTimeoutMs: 5000 }),
      worker: { module: new URL("./test-open-sqlite.ts", import.meta.url).href, spec: { path } },
      cleanup: () => dir.remove(),
    };
  },
  {
    test: { describe, it },
    skip: {
      "outage-hang":
        "an embedded file does not hang; a lock held by another process is tested in sqlite-store.test.ts",
      "outage-crash": "no server to crash: the file outlives every process (sqlite-store.test.ts reopens it)",
    },
  },
);
