import { InvalidOptionsError } from "@switchyard/core";
import type { FetchLike } from "./token-endpoint.ts";
import { requestToken } from "./token-endpoint.ts";
import type { AccessToken, GcsTokenProvider, TokenRequest } from "./token-provider.ts";

/** Options of {@link metadataServer}. */
export interface MetadataServerOptions {
  /**
   * `host[:port]` of the metadata server. Pass `process.env.GCE_METADATA_HOST` yourself if you
   * want that variable honoured: the plugin reads no environment.
   * @default "169.254.169.254"
   */
  readonly host?: string | undefined;
  /**
   * The service account on the instance. Name it by its email to share its tokens through
   * `gcs({ stateStore })`: `"default"` may be a different account on each machine of a fleet.
   * @default "default"
   */
  readonly account?: string | undefined;
  /** The fetch for token requests. @default globalThis.fetch */
  readonly fetch?: FetchLike | undefined;
}

/**
 * Tokens from the GCE/GKE/Cloud Run metadata server
 * (`/computeMetadata/v1/instance/service-accounts/<account>/token`, `Metadata-Flavor: Google`).
 *
 * @example
 * gcs({ auth: metadataServer() })
 */
export function metadataServer(options: MetadataServerOptions = {}): GcsTokenProvider {
  const host = options.host ?? "169.254.169.254";
  if (typeof host !== "string" || !/^[A-Za-z0-9.\-[\]:]+$/.test(host))
    throw new InvalidOptionsError("gcs: metadataServer() host must be host[:port]");
  const account = options.account ?? "default";
  const fetchFn = options.fetch ?? (globalThis.fetch as FetchLike);
  const base = `http://${host}/computeMetadata/v1/instance/service-accounts/${encodeURIComponent(account)}/token`;
  return {
    name: "metadata-server",
    // "default" is whatever account each machine runs as, which may differ across a fleet: only an
    // account named by its email identifies the same tokens everywhere.
    identity: account.includes("@") ? JSON.stringify(["metadata-server", account]) : undefined,
    fetchToken({ scopes, now }: TokenRequest): Promise<AccessToken> {
      const url = scopes.length > 0 ? `${base}?scopes=${scopes.map(encodeURIComponent).join(",")}` : base;
      return requestToken({
        provider: "metadata-server",
        fetch: fetchFn,
        url,
        init: { method: "GET", headers: { "metadata-flavor": "Google" } },
        now,
        secrets: [],
        // Anything else answering on that address is not the metadata server.
        check: (response) =>
          response.headers.get("metadata-flavor") === "Google"
            ? undefined
            : "did not answer with Metadata-Flavor: Google",
      });
    },
  };
}
