#!/usr/bin/env node
// The demo app's entry: `demo` (the composition matrix), `demo get`, `demo proxy`.
import { CliError, EXIT, usageError } from "./cli/exit-codes.ts";
import { MATRIX_HELP, matrixCommand } from "./matrix/matrix-command.ts";

const HELP = `Usage: demo [command] [options]

Commands:
  matrix (default)   start local peers and prove that every subset of the plugins composes
  get <url>          download a URL through the plugins you choose, with a progress bar
  proxy              a streaming multipart upload proxy that PUTs each file through the client
  fleet              N worker processes with per-process state, then a shared SQLite and Redis store

Run "demo <command> --help" for the options of each command.

Exit codes: 0 ok, 1 failed (unexpected matrix cells, failed uploads), 2 usage, 3 config file,
4 HTTP error status, 5 request failed, 6 peers could not start, 130 interrupted.`;

async function run(argv: readonly string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === "--help" || first === "-h" || first === "help") {
    if (first === "help" && rest[0]) return run([rest[0], "--help"]);
    process.stdout.write(`${HELP}\n\n${MATRIX_HELP}\n`);
    return EXIT.ok;
  }
  if (first === undefined || first.startsWith("-")) return matrixCommand(argv);
  switch (first) {
    case "matrix":
      return matrixCommand(rest);
    case "get": {
      const { getCommand } = await import("./get/get-command.ts");
      return getCommand(rest);
    }
    case "fleet": {
      const { fleetCommand } = await import("./fleet/fleet-command.ts");
      return fleetCommand(rest);
    }
    case "proxy": {
      const { proxyCommand } = await import("./proxy/proxy-command.ts");
      return proxyCommand(rest);
    }
    default:
      throw usageError(`unknown command ${JSON.stringify(first)}`);
  }
}

process.once("SIGINT", () => {
  process.stderr.write("\ninterrupted\n");
  process.exit(EXIT.interrupted);
});

try {
  process.exitCode = await run(process.argv.slice(2));
} catch (error) {
  if (error instanceof CliError) {
    process.stderr.write(`demo: ${error.message}\n`);
    process.exitCode = error.exitCode;
  } else {
    process.stderr.write(`demo: internal error: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exitCode = EXIT.failed;
  }
}
