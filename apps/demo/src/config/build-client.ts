import { readFile } from "node:fs/promises";
import {
  type AuthMiddleware,
  type AuthStore,
  auth,
  fileStore,
  memoryStore,
  netrcStore,
} from "@switchyard/auth";
import type { ClientOptions, CredentialStore, Middleware } from "@switchyard/core";
import { gcs, serviceAccount, staticToken } from "@switchyard/gcs";
import { mirror } from "@switchyard/mirror";
import { oci } from "@switchyard/oci";
import { retry } from "@switchyard/retry";
import { retryAfter } from "@switchyard/retry-after";
import { s3 } from "@switchyard/s3";
import { PLUGIN_NAMES, type PluginName } from "../plugin-names.ts";
import type {
  AuthConfig,
  DemoConfig,
  GcsConfig,
  MirrorConfig,
  OciConfig,
  PluginsConfig,
} from "./config-schema.ts";
import { ConfigError, type LoadedConfig } from "./load-config.ts";

/** The plugins a config turns on: those listed under `plugins` and not `false`. */
export function configuredPlugins(config: DemoConfig): PluginName[] {
  const plugins = config.plugins ?? {};
  return PLUGIN_NAMES.filter((name) => plugins[name] !== undefined && plugins[name] !== false);
}

function optionsOf<K extends PluginName>(
  plugins: PluginsConfig,
  name: K,
): Exclude<PluginsConfig[K], boolean | undefined> | Record<string, never> {
  const value = plugins[name];
  return typeof value === "object" && value !== null
    ? (value as Exclude<PluginsConfig[K], boolean | undefined>)
    : {};
}

function fail(loaded: LoadedConfig, path: string, message: string): never {
  throw new ConfigError(loaded.file, [`${path}: ${message}`]);
}

/** Runs a plugin factory; an `InvalidOptionsError` becomes a config error at `plugins.<name>`. */
function make<T>(loaded: LoadedConfig, name: PluginName, factory: () => T): T {
  try {
    return factory();
  } catch (error) {
    fail(
      loaded,
      `plugins.${name}`,
      `${PLUGIN_PACKAGE_LABEL[name]} refused its options: ${(error as Error).message}`,
    );
  }
}

const PLUGIN_PACKAGE_LABEL: Record<PluginName, string> = {
  retry: "retry()",
  "retry-after": "retryAfter()",
  auth: "auth()",
  oci: "oci()",
  s3: "s3()",
  gcs: "gcs()",
  mirror: "mirror()",
};

function buildAuth(loaded: LoadedConfig, options: AuthConfig): AuthMiddleware {
  const stores: AuthStore[] = [];
  if (options.credentials) {
    const entries = options.credentials;
    stores.push(make(loaded, "auth", () => memoryStore(entries, { name: "config" })));
  }
  if (options.credentialsFile) stores.push(fileStore(loaded.resolvePath(options.credentialsFile)));
  if (options.netrc) stores.push(netrcStore(loaded.resolvePath(options.netrc)));
  if (stores.length === 0) {
    fail(
      loaded,
      "plugins.auth",
      "no credentials: give credentials, credentialsFile or netrc (or --bearer HOST=TOKEN)",
    );
  }
  return make(loaded, "auth", () =>
    auth({
      stores,
      ...(options.allowInsecureHttp === undefined ? {} : { allowInsecureHttp: options.allowInsecureHttp }),
      ...(options.onInsecureHttp === undefined ? {} : { onInsecureHttp: options.onInsecureHttp }),
    }),
  );
}

async function buildGcs(
  loaded: LoadedConfig,
  options: GcsConfig,
  store: CredentialStore | undefined,
): Promise<Middleware> {
  if (options.serviceAccountFile && options.token) {
    fail(loaded, "plugins.gcs", "give serviceAccountFile or token, not both");
  }
  let provider: ReturnType<typeof staticToken> | undefined;
  if (options.serviceAccountFile) {
    const file = loaded.resolvePath(options.serviceAccountFile);
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (error) {
      fail(
        loaded,
        "plugins.gcs.serviceAccountFile",
        `cannot read ${file} (${(error as NodeJS.ErrnoException).code})`,
      );
    }
    provider = make(loaded, "gcs", () => serviceAccount(text));
  } else if (options.token) {
    const token = options.token;
    provider = make(loaded, "gcs", () => staticToken(token));
  }
  return make(loaded, "gcs", () =>
    gcs({
      ...(provider ? { auth: provider } : {}),
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      ...(options.api ? { api: options.api } : {}),
      ...(options.scopes ? { scopes: options.scopes } : {}),
      ...(store ? { store } : {}),
    }),
  );
}

function buildMirror(loaded: LoadedConfig, options: MirrorConfig): Middleware {
  const { mirrors, ...rest } = options;
  if (!mirrors || Object.keys(mirrors).length === 0) {
    fail(loaded, "plugins.mirror.mirrors", "is required: prefix -> list of mirrors (or --mirror PREFIX=URL)");
  }
  return make(loaded, "mirror", () => mirror({ mirrors, ...rest }));
}

function buildOci(loaded: LoadedConfig, options: OciConfig, store: CredentialStore | undefined): Middleware {
  return make(loaded, "oci", () => oci({ ...options, ...(store ? { credentials: store } : {}) }));
}

/**
 * Assembles the client options the way an application would: each selected plugin with its options
 * from the config, and auth's combined store handed to oci, s3 and gcs (core's `CredentialStore`).
 */
export async function buildClientOptions(
  loaded: LoadedConfig,
  selected: readonly PluginName[],
): Promise<ClientOptions> {
  const plugins = loaded.config.plugins ?? {};
  const middleware: Middleware[] = [];
  const authMiddleware = selected.includes("auth")
    ? buildAuth(loaded, optionsOf(plugins, "auth"))
    : undefined;
  const store = authMiddleware?.store;
  for (const name of selected) {
    switch (name) {
      case "retry": {
        const options = optionsOf(plugins, "retry");
        middleware.push(make(loaded, name, () => retry(options)));
        break;
      }
      case "retry-after": {
        const options = optionsOf(plugins, "retry-after");
        middleware.push(make(loaded, name, () => retryAfter(options)));
        break;
      }
      case "auth":
        middleware.push(authMiddleware!);
        break;
      case "oci":
        middleware.push(buildOci(loaded, optionsOf(plugins, "oci"), store));
        break;
      case "s3": {
        const options = optionsOf(plugins, "s3");
        middleware.push(make(loaded, name, () => s3({ ...options, ...(store ? { store } : {}) })));
        break;
      }
      case "gcs":
        middleware.push(await buildGcs(loaded, optionsOf(plugins, "gcs"), store));
        break;
      case "mirror":
        middleware.push(buildMirror(loaded, optionsOf(plugins, "mirror")));
        break;
    }
  }
  const client = loaded.config.client ?? {};
  return { ...client, middleware };
}
