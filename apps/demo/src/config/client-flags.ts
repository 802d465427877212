import type { ClientOptions } from "@switchyard/core";
import { usageError } from "../cli/exit-codes.ts";
import { intFlag } from "../cli/parse-args.ts";
import { type PluginName, parsePluginList } from "../plugin-names.ts";
import { buildClientOptions, configuredPlugins } from "./build-client.ts";
import { type ConfigOverlay, type LoadedConfig, loadConfig, parseConfigText } from "./load-config.ts";

/** The flags `get` and `proxy` share for assembling a client. */
export const CLIENT_FLAGS = {
  config: { type: "string", short: "c" },
  with: { type: "string", short: "w" },
  bearer: { type: "string", multiple: true },
  mirror: { type: "string", multiple: true },
  retries: { type: "string" },
  "insecure-registry": { type: "string", multiple: true },
  "s3-endpoint": { type: "string" },
  timeout: { type: "string" },
  proxy: { type: "string" },
} as const;

/** Help text for {@link CLIENT_FLAGS}. */
export const CLIENT_FLAGS_HELP = `Client options (a config file and flags combine; flags win):
  -c, --config FILE          YAML or JSON config: plugins and their options (see the README)
  -w, --with LIST            plugins to use, comma-separated: retry,retry-after,auth,oci,s3,gcs,mirror
                             (default: the plugins the config file lists)
  --bearer HOST=TOKEN        a bearer token for HOST (adds auth; plain http allowed on loopback only)
  --mirror PREFIX=URL        serve URLs under PREFIX from the mirror URL (adds mirror; repeatable)
  --retries N                retry up to N times (adds retry)
  --insecure-registry HOST   reach this OCI registry over plain http (adds oci; repeatable)
  --s3-endpoint URL          an S3-compatible endpoint (adds s3)
  --timeout MS               whole-call timeout until response headers
  --proxy env|URL            "env": a proxy per request from http_proxy, https_proxy, ALL_PROXY and
                             NO_PROXY, as curl chooses it; or one proxy URL for every request`;

/** The client-related flags every command accepts. */
export interface FlagValues {
  config?: string | undefined;
  with?: string | undefined;
  bearer?: string[] | undefined;
  mirror?: string[] | undefined;
  retries?: string | undefined;
  "insecure-registry"?: string[] | undefined;
  "s3-endpoint"?: string | undefined;
  timeout?: string | undefined;
  proxy?: string | undefined;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?$/i;

function splitPair(flag: string, value: string, command: string): [string, string] {
  const eq = value.indexOf("=");
  if (eq <= 0 || eq === value.length - 1)
    throw usageError(`--${flag} needs KEY=VALUE, got ${JSON.stringify(value)}`, command);
  return [value.slice(0, eq), value.slice(eq + 1)];
}

/** `parent[key]`, set to `make()` first when it is not an object yet (e.g. `true`). */
function child<T extends object>(parent: Record<string, unknown>, key: string, make: () => T): T {
  const current = parent[key];
  if (typeof current === "object" && current !== null) return current as T;
  const fresh = make();
  parent[key] = fresh;
  return fresh;
}

/** The plugin's options object in `data.plugins[name]`, created (or turned from `true`) as needed. */
function pluginObject(data: Record<string, unknown>, name: PluginName): Record<string, unknown> {
  return child(
    child(data, "plugins", () => ({})),
    name,
    () => ({}),
  );
}

/** What the flags add to the config, and which plugins they imply. */
function flagOverlay(values: FlagValues, command: string): { overlay: ConfigOverlay; implied: PluginName[] } {
  const implied = new Set<PluginName>();
  const steps: ConfigOverlay[] = [];
  for (const pair of values.bearer ?? []) {
    const [host, token] = splitPair("bearer", pair, command);
    implied.add("auth");
    steps.push((data) => {
      const auth = pluginObject(data, "auth");
      const credentials = child<Record<string, unknown>>(auth, "credentials", () => ({}));
      credentials[host] = {
        kind: "bearer",
        token,
        ...(LOOPBACK.test(host) ? { allowInsecureHttp: true } : {}),
      };
    });
  }
  for (const pair of values.mirror ?? []) {
    const [prefix, url] = splitPair("mirror", pair, command);
    implied.add("mirror");
    steps.push((data) => {
      const mirror = pluginObject(data, "mirror");
      const mirrors = child<Record<string, unknown>>(mirror, "mirrors", () => ({}));
      child<unknown[]>(mirrors, prefix, () => []).push(url);
    });
  }
  const retries = intFlag("retries", values.retries, 0, 100, command);
  if (retries !== undefined) {
    implied.add("retry");
    steps.push((data) => {
      pluginObject(data, "retry").maxRetries = retries;
    });
  }
  for (const host of values["insecure-registry"] ?? []) {
    implied.add("oci");
    steps.push((data) => {
      const oci = pluginObject(data, "oci");
      child<unknown[]>(oci, "insecureRegistries", () => []).push(host);
    });
  }
  const endpoint = values["s3-endpoint"];
  if (endpoint !== undefined) {
    implied.add("s3");
    steps.push((data) => {
      pluginObject(data, "s3").endpoint = endpoint;
    });
  }
  const timeout = intFlag("timeout", values.timeout, 1, 2 ** 31 - 1, command);
  if (timeout !== undefined) {
    steps.push((data) => {
      child<Record<string, unknown>>(data, "client", () => ({})).timeout = timeout;
    });
  }
  const proxy = values.proxy;
  if (proxy !== undefined) {
    if (proxy !== "env" && !/^https?:\/\//i.test(proxy)) {
      throw usageError(
        `--proxy must be "env" or an http(s) proxy URL, got ${JSON.stringify(proxy)}`,
        command,
      );
    }
    steps.push((data) => {
      child<Record<string, unknown>>(data, "client", () => ({})).proxy = proxy;
    });
  }
  return {
    overlay: (data) => {
      for (const step of steps) step(data);
    },
    implied: [...implied],
  };
}

/** A client assembled from `--config` and the flags. */
export interface AssembledClient {
  readonly options: ClientOptions;
  readonly plugins: readonly PluginName[];
  readonly loaded: LoadedConfig;
}

/**
 * Reads the config file (if any), lays the flags over it, validates the whole, and builds the
 * client options with the selected plugins: `--with` if given, else the config's, plus those the
 * flags imply.
 */
export async function assembleClient(values: FlagValues, command: string): Promise<AssembledClient> {
  let selected: PluginName[] | undefined;
  if (values.with !== undefined) {
    try {
      selected = parsePluginList(values.with);
    } catch (error) {
      throw usageError(`--with: ${(error as Error).message}`, command);
    }
  }
  const { overlay, implied } = flagOverlay(values, command);
  const loaded = values.config
    ? await loadConfig(values.config, overlay)
    : parseConfigText("", undefined, overlay);
  const base = selected ?? configuredPlugins(loaded.config);
  const plugins = [...base, ...implied.filter((name) => !base.includes(name))];
  return { options: await buildClientOptions(loaded, plugins), plugins, loaded };
}
