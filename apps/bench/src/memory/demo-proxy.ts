// The demo's streaming upload proxy (apps/demo, owned by another package), loaded from its source
// file so that the benchmark follows whatever the demo ships. Missing -> the proxy case is skipped.
import type { Client } from "@switchyard/core";

/** The part of apps/demo's upload proxy the benchmark uses. */
export interface UploadProxyHandle {
  readonly url: string;
  close(): Promise<void>;
}

type StartUploadProxy = (options: { client: Client; target: string }) => Promise<UploadProxyHandle>;

const PROXY_SOURCE = new URL("../../../demo/src/proxy/upload-proxy.ts", import.meta.url);

/** Loads the demo's `startUploadProxy`, or returns why it cannot. */
export async function loadUploadProxy(): Promise<StartUploadProxy | string> {
  try {
    const mod = (await import(PROXY_SOURCE.href)) as { startUploadProxy?: unknown };
    if (typeof mod.startUploadProxy !== "function") return "apps/demo has no startUploadProxy export";
    return mod.startUploadProxy as StartUploadProxy;
  } catch (error) {
    return `apps/demo's upload proxy could not be loaded: ${(error as Error).message}`;
  }
}

/** Starts the demo proxy; throws when it is not available. */
export async function startUploadProxy(options: {
  client: Client;
  target: string;
}): Promise<UploadProxyHandle> {
  const start = await loadUploadProxy();
  if (typeof start === "string") throw new Error(start);
  return start(options);
}
