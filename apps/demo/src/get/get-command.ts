import { createWriteStream, rmSync } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { basename } from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { CacheMiddleware } from "@switchyard/cache";
import { attemptKey, type Client, cacheStatusKey, isSwitchyardError, servedByKey } from "@switchyard/core";
import { CliError, EXIT, usageError } from "../cli/exit-codes.ts";
import { parseCommandArgs } from "../cli/parse-args.ts";
import { CLIENT_FLAGS, CLIENT_FLAGS_HELP } from "../config/client-flags.ts";
import { createCliClient } from "../config/create-cli-client.ts";
import { subscribeVerbose } from "../verbose/verbose-log.ts";
import { createProgress, formatBytes } from "./progress.ts";

export const GET_HELP = `Usage: demo get <url> [-o FILE] [--cache DIR] [--with LIST] [--config FILE] [--verbose] [--quiet]

Downloads one URL (http, https, oci://, s3://, gs://) through a client built from the plugins you
choose, streaming it to a file. On a terminal a progress bar (bytes, rate, ETA) is drawn on
stderr; otherwise a plain progress line is printed at most once a second.

Options:
  -o, --output FILE          where to write ("-" for stdout); default: the URL's last path segment
  --integrity VALUE          the body's expected digest: SRI (sha512-<base64>, several allowed) or
                             sha256:<hex> as OCI and conda write it; a mismatch fails the download
                             and leaves no file
  --otel                     trace the download with OpenTelemetry: the call's span and one per
                             attempt are printed on stdout (console exporter); not with -o -
      --cache DIR            keep responses in an HTTP cache (RFC 9111) in DIR; says hit, miss,
                             revalidated or stale; a second run answers from it or revalidates
  -v, --verbose              print retries, mirror switches, token exchanges... (diagnostics events)
  -q, --quiet                no progress output
  -h, --help                 this text

${CLIENT_FLAGS_HELP}

Exit codes: 0 saved, 2 usage, 3 config, 4 HTTP status not 2xx, 5 request failed.`;

function defaultOutput(url: string): string {
  let name = "";
  try {
    name = basename(decodeURIComponent(new URL(url).pathname));
  } catch {
    // fall through to the default below
  }
  // oci:// URLs name a tag, not a file: use the title selector when there is one.
  const title = /[?#&]title=([^&#]+)/.exec(url)?.[1];
  if (title) name = basename(decodeURIComponent(title));
  return name === "" || name === "." || name === ".." ? "download" : name.replace(/[:@]/g, "_");
}

function describeError(error: unknown): string {
  if (isSwitchyardError(error)) return `${error.name} (${error.code}): ${error.message}`;
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** `demo get`: one real download. Returns the exit code. */
export async function getCommand(args: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    args,
    {
      ...CLIENT_FLAGS,
      output: { type: "string", short: "o" },
      integrity: { type: "string" },
      otel: { type: "boolean" },
      cache: { type: "string" },
      verbose: { type: "boolean", short: "v" },
      quiet: { type: "boolean", short: "q" },
      help: { type: "boolean", short: "h" },
    },
    "get",
  );
  if (values.help) {
    process.stdout.write(`${GET_HELP}\n`);
    return EXIT.ok;
  }
  if (positionals.length !== 1) throw usageError("get needs exactly one URL", "get");
  const url = positionals[0]!;
  const err = process.stderr;
  const output = values.output ?? defaultOutput(url);
  const toStdout = output === "-";

  if (values.otel && toStdout) throw usageError("--otel prints spans on stdout: use it with -o FILE", "get");
  if (values.cache === "") throw usageError("--cache needs a directory", "get");
  // Loaded only with --otel: the OpenTelemetry SDK would slow every start-up otherwise.
  const tracing = values.otel ? (await import("./otel-console.ts")).consoleOtel() : undefined;
  let cached: CacheMiddleware | undefined;
  try {
    // Loaded only when asked for, so other runs do not pay for it.
    if (values.cache !== undefined) cached = (await import("@switchyard/cache")).cache({ dir: values.cache });
  } catch (error) {
    throw new CliError(`--cache ${values.cache}: ${describeError(error)}`, EXIT.config, { cause: error });
  }
  // Their stages (observe, cache) put them outermost whatever their place in the list.
  const first = [...(tracing ? [tracing.plugin] : []), ...(cached ? [cached] : [])];
  const { client, plugins } = await createCliClient(values, "get", first);

  const progressOn = !values.quiet;
  let progress: ReturnType<typeof createProgress> | undefined;
  const unsubscribe = values.verbose
    ? subscribeVerbose((line) => {
        progress?.clear();
        err.write(`${line}\n`);
      })
    : undefined;
  const partial = toStdout ? undefined : `${output}.part`;
  // An interrupted download (SIGINT exits at once) leaves no partial file behind.
  const removePartial = () => {
    if (partial) rmSync(partial, { force: true });
  };
  process.once("exit", removePartial);
  const started = performance.now();
  try {
    if (!values.quiet) {
      const names = [...plugins, ...(cached ? ["cache"] : [])];
      err.write(`GET ${url} with ${names.length ? names.join(", ") : "core only"}\n`);
    }
    let res: Awaited<ReturnType<Client["request"]>>;
    try {
      res = await client.request(
        url,
        values.integrity === undefined ? undefined : { integrity: values.integrity },
      );
    } catch (error) {
      throw new CliError(`GET ${url} failed: ${describeError(error)}`, EXIT.request, { cause: error });
    }
    if (!res.ok) {
      await res.discard();
      throw new CliError(`GET ${url} answered ${res.status} ${res.statusText}`.trimEnd(), EXIT.http);
    }
    const lengthHeader = res.headers.get("content-length");
    const total = lengthHeader && /^\d+$/.test(lengthHeader) ? Number(lengthHeader) : undefined;
    progress = progressOn ? createProgress(err, total) : undefined;
    let bytes = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        bytes += chunk.length;
        progress?.update(bytes);
        done(null, chunk);
      },
    });
    try {
      await pipeline(res.body, counter, toStdout ? process.stdout : createWriteStream(partial!));
      if (partial) await rename(partial, output);
    } catch (error) {
      if (partial) await rm(partial, { force: true });
      throw new CliError(
        `GET ${url}: the body broke off after ${bytes} bytes: ${describeError(error)}`,
        EXIT.request,
        {
          cause: error,
        },
      );
    }
    progress?.finish(bytes);
    const seconds = (performance.now() - started) / 1000;
    const servedBy = res.context.get(servedByKey);
    const attempts = res.context.get(attemptKey);
    const cacheStatus = res.context.get(cacheStatusKey);
    if (!values.quiet) {
      const where = toStdout ? "wrote" : `saved ${output}:`;
      const extra = [
        `HTTP ${res.status}`,
        cacheStatus ? `cache ${cacheStatus}` : undefined,
        servedBy ? `served by ${servedBy.kind} ${servedBy.url}` : undefined,
        attempts && attempts > 1 ? `${attempts} attempts` : undefined,
      ].filter(Boolean);
      err.write(
        `${where} ${formatBytes(bytes)} in ${seconds.toFixed(1)} s (${formatBytes(Math.round(bytes / Math.max(seconds, 0.001)))}/s), ${extra.join(", ")}\n`,
      );
    }
    return EXIT.ok;
  } finally {
    process.off("exit", removePartial);
    unsubscribe?.();
    await client.close();
    await tracing?.shutdown();
    await cached?.close();
  }
}
