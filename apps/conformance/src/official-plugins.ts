import { auth, authChannels, memoryStore } from "@switchyard/auth";
import { breaker, breakerChannels } from "@switchyard/breaker";
import type { Middleware } from "@switchyard/core";
import { gcs, staticToken } from "@switchyard/gcs";
import { hedge, hedgeChannels } from "@switchyard/hedge";
import { mirror, mirrorChannels } from "@switchyard/mirror";
import { oci } from "@switchyard/oci";
import { rateLimit, rateLimitChannels } from "@switchyard/rate-limit";
import { retry } from "@switchyard/retry";
import { retryAfter } from "@switchyard/retry-after";
import { s3 } from "@switchyard/s3";

/** One official plugin under test: how to build it and the diagnostics channels it declares. */
export interface OfficialPlugin {
  readonly factory: () => Middleware;
  readonly channels: readonly string[];
}

/**
 * Every official plugin, configured as an application would, in a way that acts on the suite's
 * plain-http requests where the plugin can (retry and retry-after wrap every call; auth adds a
 * credential for the suite's loopback host) and passes them through otherwise (oci, s3, gcs and
 * mirror act on other URLs; their own traffic is tested in their packages).
 */
export const OFFICIAL_PLUGINS: Readonly<Record<string, OfficialPlugin>> = {
  retry: {
    factory: () => retry({ maxRetries: 2, minDelay: 1, maxDelay: 5 }),
    channels: ["switchyard:retry:retry", "switchyard:retry:give-up", "switchyard:retry:resume"],
  },
  "retry-after": {
    factory: () => retryAfter({ maxWait: 1000 }),
    channels: [
      "switchyard:retry-after:record",
      "switchyard:retry-after:wait",
      "switchyard:retry-after:reject",
      "switchyard:retry-after:invalid",
    ],
  },
  auth: {
    factory: () =>
      auth({
        stores: [
          memoryStore({
            "127.0.0.1": {
              kind: "header",
              name: "x-api-key",
              value: "conformance-api-key",
              allowInsecureHttp: true,
            },
          }),
        ],
      }),
    channels: channelNames(authChannels),
  },
  mirror: {
    factory: () => mirror({ mirrors: { "https://example.invalid/pkgs": ["https://mirror.invalid/pkgs"] } }),
    channels: channelNames(mirrorChannels),
  },
  breaker: {
    factory: () => breaker({ minimumRequests: 5 }),
    channels: channelNames(breakerChannels),
  },
  hedge: {
    // A short fixed delay and no extra-load cap: the suite's slow answers really are raced.
    factory: () => hedge({ delay: 20, maxExtraLoad: 1 }),
    channels: channelNames(hedgeChannels),
  },
  "rate-limit": {
    factory: () => rateLimit({ rate: 1000, concurrency: 8 }),
    channels: channelNames(rateLimitChannels),
  },
  oci: {
    factory: () => oci(),
    channels: [
      "switchyard:oci:probe",
      "switchyard:oci:token",
      "switchyard:oci:resolve",
      "switchyard:oci:redirect",
    ],
  },
  s3: {
    factory: () =>
      s3({
        region: "us-east-1",
        credentials: { accessKeyId: "AKIDCONFORMANCE", secretAccessKey: "conformance-secret" },
      }),
    channels: ["switchyard:s3:sign", "switchyard:s3:error"],
  },
  gcs: {
    factory: () => gcs({ auth: staticToken("conformance-gcs-token") }),
    channels: ["switchyard:gcs:token", "switchyard:gcs:request", "switchyard:gcs:error"],
  },
};

/** The names of the channels a plugin exports. */
function channelNames(channels: Readonly<Record<string, { readonly name: string | symbol }>>): string[] {
  return Object.values(channels).map((c) => String(c.name));
}
