import { pluginForScheme } from "@switchyard/core";
import { EXIT, usageError } from "../cli/exit-codes.ts";
import { intFlag, parseCommandArgs } from "../cli/parse-args.ts";
import { CLIENT_FLAGS, CLIENT_FLAGS_HELP } from "../config/client-flags.ts";
import { createCliClient } from "../config/create-cli-client.ts";
import { formatBytes } from "../get/progress.ts";
import { PLUGIN_PACKAGES } from "../plugin-names.ts";
import { subscribeVerbose } from "../verbose/verbose-log.ts";
import { startUploadProxy } from "./upload-proxy.ts";

export const PROXY_HELP = `Usage: demo proxy --target URL [--port N] [--host ADDR] [--with LIST] [--config FILE] [--verbose]

A streaming upload proxy: POST a multipart/form-data upload to it, and each file field is sent, as
it arrives, as a PUT to <target>/<file name> through the Switchyard client (so s3:// targets are
signed, retries and auth apply). Nothing is buffered: memory stays flat for multi-GiB files.
S3 needs each file's length: send a text field "size" before the file (curl -F size=N -F file=@f).

  curl -F size=$(stat -c%s big.iso) -F file=@big.iso http://127.0.0.1:8080/

Options:
  --target URL        where files go: s3://bucket/prefix, https://host/path, gs://bucket/prefix...
  --port N            port to listen on (default 8080; 0 picks a free one)
  --host ADDR         address to listen on (default 127.0.0.1)
  -v, --verbose       print the plugins' diagnostics events
  -h, --help          this text

GET /_stats answers the proxy's memory use (rss, maxRss) and upload counts.

${CLIENT_FLAGS_HELP}

Exit codes: 0 stopped by SIGTERM, 2 usage, 3 config, 130 SIGINT.`;

/** `demo proxy`: runs until SIGTERM/SIGINT. */
export async function proxyCommand(args: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    args,
    {
      ...CLIENT_FLAGS,
      target: { type: "string", short: "t" },
      port: { type: "string", short: "p" },
      host: { type: "string" },
      verbose: { type: "boolean", short: "v" },
      help: { type: "boolean", short: "h" },
    },
    "proxy",
  );
  if (values.help) {
    process.stdout.write(`${PROXY_HELP}\n`);
    return EXIT.ok;
  }
  if (positionals.length > 0)
    throw usageError(`unexpected argument ${JSON.stringify(positionals[0])}`, "proxy");
  if (!values.target) throw usageError("proxy needs --target (s3://bucket/prefix or a URL)", "proxy");
  let scheme: string;
  try {
    scheme = new URL(values.target).protocol.slice(0, -1);
  } catch {
    throw usageError(`--target is not a URL: ${JSON.stringify(values.target)}`, "proxy");
  }
  const port = intFlag("port", values.port, 0, 65535, "proxy") ?? 8080;

  const { client, plugins } = await createCliClient(values, "proxy");
  const needed = pluginForScheme(scheme);
  if (needed && !plugins.some((p) => PLUGIN_PACKAGES[p] === needed)) {
    await client.close();
    throw usageError(
      `the target is a ${scheme}: URL, which needs ${needed}: add it with --with or the config file`,
      "proxy",
    );
  }

  const out = process.stdout;
  const unsubscribe = values.verbose
    ? subscribeVerbose((line) => process.stderr.write(`${line}\n`))
    : undefined;
  const proxy = await startUploadProxy({
    client,
    target: values.target,
    port,
    host: values.host ?? "127.0.0.1",
    onUpload: (r) => {
      const rate = r.ms > 0 ? `${formatBytes(Math.round((r.bytes * 1000) / r.ms))}/s` : "";
      const how = r.error ? `FAILED: ${r.error}` : `${r.status}`;
      out.write(`PUT ${r.url} ${formatBytes(r.bytes)} in ${(r.ms / 1000).toFixed(1)} s ${rate} -> ${how}\n`);
    },
  });
  out.write(
    `upload proxy listening on ${proxy.url}/ -> PUT ${values.target}/<file> with ${plugins.length ? plugins.join(", ") : "core only"}\n`,
  );
  await new Promise<void>((resolve) => {
    process.once("SIGTERM", () => resolve());
  });
  out.write("stopping\n");
  unsubscribe?.();
  await proxy.close();
  await client.close();
  return EXIT.ok;
}
