// @switchyard/sqlite-store with core: two stores on one file (as two processes would open it)
// share an entry, its TTL and a lease, and a change written through one reaches the other's
// subscriber through the changes table poll.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isSwitchyardError } from "@switchyard/core";
import { sqliteStore } from "@switchyard/sqlite-store";
import { check, watchdog } from "./serve.mjs";

watchdog();
const dir = mkdtempSync(join(tmpdir(), "pick-and-mix-sqlite-"));
const path = join(dir, "state.db");
const a = sqliteStore({ path });
const b = sqliteStore({ path, pollMs: 10 });
try {
  const seen = [];
  b.subscribe("demo:", (change) => seen.push(change));
  await a.set("demo:k", "v", 60_000);
  const entry = await b.get("demo:k");
  check(entry?.value === "v" && entry.ttlMs > 0, `entry ${JSON.stringify(entry)}`);
  check((await a.extendDeadline("demo:d", 5000)) === 5000, "deadline");
  const lease = await a.acquireLease("demo:l", 60_000);
  check(lease !== undefined && (await b.acquireLease("demo:l", 60_000)) === undefined, "lease exclusive");
  for (let i = 0; i < 200 && !seen.some((c) => c.key === "demo:k"); i++)
    await new Promise((r) => setTimeout(r, 10));
  check(
    seen.some((c) => c.key === "demo:k" && c.kind === "set"),
    `changes ${JSON.stringify(seen)}`,
  );
  const bad = await a.set("demo:x", "v", 0).catch((error) => error);
  check(isSwitchyardError(bad, "SWITCHYARD_ERR_STATE_STORE"), `typed error, got ${bad}`);
} finally {
  await a.close();
  await b.close();
  rmSync(dir, { recursive: true, force: true });
}
console.log("sqlite-store: two stores on one file shared an entry, a lease and a change");
