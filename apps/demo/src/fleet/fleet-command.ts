import {
  peerAvailable,
  pushArtifact,
  type RedisPeer,
  type RegistryPeer,
  startRedis,
  startRegistry,
} from "@switchyard/test-peers";
import { createPeerTempDir } from "@switchyard/testkit/process";
import { EXIT, usageError } from "../cli/exit-codes.ts";
import { intFlag, parseCommandArgs } from "../cli/parse-args.ts";
import { startMirror, startRateLimitedHost } from "./fleet-servers.ts";
import { type FleetRow, renderFleetTable } from "./render-fleet.ts";
import { demoSealKey, runFleet, sqlitePath } from "./run-fleet.ts";
import type { WorkerPlan } from "./worker-plan.ts";

export const FLEET_HELP = `Usage: demo fleet [--workers N] [--seconds N] [--json]

Runs N worker processes (default 8) against local servers, three times: with per-process state,
with a shared SQLite store, and with a shared Redis store (when redis-server is installed). Every
worker uses one client with retry-after, mirror and oci, and loops for a few seconds over:
  - a rate-limited host that answers 429 + Retry-After: 1 in rounds and counts early callers;
  - a mirror pool whose primary dies mid-run (later requests to it have their connection cut);
and pulls one artifact from the token-protected CNCF registry (when docker-registry is installed).
Prints a side-by-side table: requests that arrived before an announced deadline, token exchanges
per scope, requests sent to the dead mirror after its first failure, wall time.

Options:
  --workers N   worker processes (default 8)
  --seconds N   workload per run in seconds (default 4)
  --json        print the rows as JSON instead of the table
  -h, --help    this text`;

const USER = "fleet";
const PASSWORD = "fleet-demo-password";

/** `demo fleet`. */
export async function fleetCommand(
  args: readonly string[],
  out: NodeJS.WriteStream = process.stdout,
): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    args,
    {
      workers: { type: "string" },
      seconds: { type: "string" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    "fleet",
  );
  if (values.help) {
    out.write(`${FLEET_HELP}\n`);
    return EXIT.ok;
  }
  if (positionals.length > 0)
    throw usageError(`unexpected argument ${JSON.stringify(positionals[0])}`, "fleet");
  const workers = intFlag("workers", values.workers, 1, 64, "fleet") ?? 8;
  const seconds = intFlag("seconds", values.seconds, 1, 30, "fleet") ?? 4;

  const dir = await createPeerTempDir("fleet-demo");
  const host = await startRateLimitedHost();
  const primary = await startMirror((seconds * 1000) / 3);
  const secondary = await startMirror();
  let registry: RegistryPeer | undefined;
  let redis: RedisPeer | undefined;
  try {
    if (peerAvailable("registry")) {
      registry = await startRegistry({ auth: { kind: "token", users: { [USER]: PASSWORD } } });
      await pushArtifact(registry.url, "fleet/data", "1.0", {
        layers: [{ mediaType: "text/plain", data: "fleet data" }],
        auth: { username: USER, password: PASSWORD },
      });
    }
    if (peerAvailable("redis")) redis = await startRedis();
    const base: Omit<WorkerPlan, "store"> = {
      rateLimitedUrl: `${host.url}/api`,
      mirrorPrefix: "http://files.fleet.test/files",
      mirrors: [primary.url, secondary.url],
      registry: registry && {
        host: registry.host,
        user: USER,
        password: PASSWORD,
        artifact: `oci://${registry.host}/fleet/data:1.0`,
      },
      sealKey: demoSealKey(),
      durationMs: seconds * 1000,
      pauseMs: 250,
    };
    const runs: { label: string; store: WorkerPlan["store"] | undefined; note?: string }[] = [
      { label: "per-process", store: { kind: "none" } },
      { label: "sqlite", store: { kind: "sqlite", path: sqlitePath(dir.path) } },
      redis
        ? { label: "redis", store: { kind: "redis", url: redis.url } }
        : { label: "redis", store: undefined, note: "redis-server is not installed" },
    ];
    const rows: FleetRow[] = [];
    for (const run of runs) {
      if (run.store === undefined) {
        rows.push({ label: run.label, skipped: run.note });
        continue;
      }
      host.reset();
      primary.reset();
      secondary.reset();
      registry?.tokenServer?.reset();
      const { reports, wallMs } = await runFleet(workers, { ...base, store: run.store });
      const exchanges = registry?.tokenServer?.requests.filter((r) => r.status === 200).length;
      rows.push({
        label: run.label,
        early: host.counts.early,
        inFlight: host.counts.inFlight,
        announced: host.counts.announced,
        tokenExchanges: exchanges,
        deadMirrorRequests: Math.max(0, primary.counts.afterDeath - 1),
        requests: reports.reduce((sum, r) => sum + r.requests, 0),
        failed: reports.reduce((sum, r) => sum + r.failed, 0),
        pulledOk: reports.filter((r) => r.pulled === "fleet data").length,
        wallMs,
      });
    }
    out.write(
      values.json
        ? `${JSON.stringify({ workers, seconds, rows })}\n`
        : renderFleetTable(workers, rows, registry !== undefined),
    );
    return EXIT.ok;
  } finally {
    await Promise.all([host.close(), primary.close(), secondary.close(), registry?.stop(), redis?.stop()]);
    await dir.remove();
  }
}
