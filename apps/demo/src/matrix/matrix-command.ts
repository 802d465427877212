import { randomInt } from "node:crypto";
import { CliError, EXIT, usageError } from "../cli/exit-codes.ts";
import { intFlag, parseCommandArgs } from "../cli/parse-args.ts";
import { type DemoPeers, type RegistryChoice, startDemoPeers } from "../peers/demo-peers.ts";
import { RETRY_AFTER_SECONDS } from "../peers/origin-servers.ts";
import { MATRIX_PLUGIN_NAMES } from "../plugin-names.ts";
import { renderExpectedFailures, renderMatrix, renderSummary, renderUnexpected } from "./render-matrix.ts";
import { runMatrix } from "./run-matrix.ts";
import { SCENARIOS } from "./scenarios.ts";

export const MATRIX_HELP = `Usage: demo [matrix] [--seed N] [--full] [--concurrency N] [--registry auto|cncf|stand-in] [--only ids]

Starts local peers on 127.0.0.1 and runs the composition matrix: subsets of the ten plugins
(${MATRIX_PLUGIN_NAMES.join(", ")}) on top of @switchyard/core, each
listed to createClient in a random order, against ${SCENARIOS.length} scenarios that each need one plugin.
By default 128 of the 1024 subsets: every subset of the first seven, joined by breaker, hedge and
rate-limit as a balanced design says (each plugin in half the rows, each pair together in a
quarter); --full runs all 1024. A cell passes when its plugin is present and the scenario
succeeds; without the plugin it must fail with the expected clear error. Exits 1 when any cell is
unexpected.

Options:
  --seed N            seed of the listing order (printed on every run; replays a run)
  --full              every subset of the ten plugins (1024 rows) instead of the 128-row design
  --concurrency N     cells run at once (default 24)
  --registry KIND     auto (the CNCF registry when installed, else the stand-in), cncf, stand-in
  --only IDS          only these scenarios, comma-separated: ${SCENARIOS.map((s) => s.id).join(",")}
  -h, --help          this text

Exit codes: 0 all cells as expected, 1 unexpected cells, 2 usage, 6 peers could not start.`;

/** The main command: peers, matrix, report. Returns the exit code. */
export async function matrixCommand(
  args: readonly string[],
  out: NodeJS.WriteStream = process.stdout,
): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    args,
    {
      seed: { type: "string" },
      concurrency: { type: "string" },
      registry: { type: "string" },
      only: { type: "string" },
      full: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    "matrix",
  );
  if (values.help) {
    out.write(`${MATRIX_HELP}\n`);
    return EXIT.ok;
  }
  if (positionals.length > 0)
    throw usageError(`unexpected argument ${JSON.stringify(positionals[0])}`, "matrix");
  const seed = intFlag("seed", values.seed, 0, 2 ** 32 - 1, "matrix") ?? randomInt(2 ** 31);
  const concurrency = intFlag("concurrency", values.concurrency, 1, 256, "matrix") ?? 24;
  const registry = (values.registry ?? "auto") as RegistryChoice;
  if (!["auto", "cncf", "stand-in"].includes(registry)) {
    throw usageError(
      `--registry must be auto, cncf or stand-in, got ${JSON.stringify(values.registry)}`,
      "matrix",
    );
  }
  const only = values.only?.split(",").map((s) => s.trim());
  for (const id of only ?? []) {
    if (!SCENARIOS.some((s) => s.id === id)) {
      throw usageError(
        `unknown scenario ${JSON.stringify(id)}; known: ${SCENARIOS.map((s) => s.id).join(", ")}`,
        "matrix",
      );
    }
  }

  const line = (text = "") => out.write(`${text}\n`);
  const plan = values.full === true ? "full" : "design";
  line(
    plan === "full"
      ? `Switchyard demo: every subset of the ${MATRIX_PLUGIN_NAMES.length} plugins (1024) on @switchyard/core, against local peers`
      : `Switchyard demo: 128 of the 1024 subsets of the ${MATRIX_PLUGIN_NAMES.length} plugins on @switchyard/core (every subset of the first seven, the resilience plugins by a balanced design; --full for all), against local peers`,
  );
  line("Starting peers on 127.0.0.1 ...");
  let peers: DemoPeers;
  const peerStart = performance.now();
  try {
    peers = await startDemoPeers({ registry });
  } catch (error) {
    throw new CliError(`the local peers could not be started: ${(error as Error).message}`, EXIT.peers, {
      cause: error,
    });
  }
  try {
    const o = peers.origins;
    line(`  flaky host     ${o.flaky.origin}   503, 503, then 200 per path`);
    line(
      `  rate-limited   ${o.limited.origin}   429 with Retry-After: ${RETRY_AFTER_SECONDS}; early requests get 429 again`,
    );
    line(`  private host   ${o.private.origin}   401 without its bearer token`);
    line(`  dead primary   ${o.deadOrigin}   nothing listens; mirror at ${o.mirror.origin}/mirror`);
    line(`  down host      ${o.down.origin}   503 to everything`);
    line(
      `  quota host     ${o.quota.origin}   RateLimit: remaining=0 on the first request; early requests get 429`,
    );
    line(`  slow host      ${o.slowFirst.origin}   each path's first answer takes 1.5 s`);
    line(`  s3             ${peers.s3.url}   s3rver behind the SigV4-verifying front (test-peers)`);
    line(`  gcs            ${peers.gcs.url}   GCS stand-in (XML API, OAuth2 token endpoint checking JWTs)`);
    line(`  oci            ${peers.registry.description}`);
    line(`  (peers ready in ${((performance.now() - peerStart) / 1000).toFixed(1)} s)`);
    line();
    line(`Seed ${seed} (replay this run with: npm run demo -- --seed ${seed})`);
    const tty = out.isTTY === true;
    // Loaded here, not at start-up: the other commands never pay for every plugin.
    const { matrixPlugins } = await import("./matrix-plugins.ts");
    const result = await runMatrix({
      seed,
      peers,
      plugins: matrixPlugins(peers),
      concurrency,
      plan,
      ...(only ? { scenarios: only } : {}),
      onCell: tty
        ? (_cell, done, total) => {
            if (done % 16 === 0 || done === total) out.write(`\r  ${done}/${total} cells`);
          }
        : undefined,
    });
    if (tty) out.write("\r\x1b[K");
    line();
    for (const text of renderMatrix(result)) line(text);
    line();
    line("What a client without the needed plugin sees:");
    for (const text of renderExpectedFailures(result)) line(text);
    const unexpected = renderUnexpected(result);
    if (unexpected.length > 0) {
      line();
      line("Unexpected cells:");
      for (const text of unexpected) line(text);
    }
    line();
    line(renderSummary(result));
    return result.unexpected === 0 ? EXIT.ok : EXIT.failed;
  } finally {
    await peers.stop();
  }
}
