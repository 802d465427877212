import { auth, memoryStore } from "@switchyard/auth";
import { breaker } from "@switchyard/breaker";
import type { Middleware } from "@switchyard/core";
import { gcs, serviceAccount } from "@switchyard/gcs";
import { hedge } from "@switchyard/hedge";
import { mirror } from "@switchyard/mirror";
import { oci } from "@switchyard/oci";
import { rateLimit } from "@switchyard/rate-limit";
import { retry } from "@switchyard/retry";
import { retryAfter } from "@switchyard/retry-after";
import { s3 } from "@switchyard/s3";
import type { DemoPeers } from "../peers/demo-peers.ts";
import type { MatrixPluginName } from "../plugin-names.ts";
import { BREAKER_MINIMUM_REQUESTS, MIRRORED_PREFIX } from "./matrix-settings.ts";

/** A fresh middleware per call: each cell gets its own instances (token caches, pools, budgets). */
export type PluginFactories = Readonly<Record<MatrixPluginName, () => Middleware>>;

/**
 * The plugins as the matrix configures them against the local peers. Bounds are small so the whole
 * matrix stays fast: retry backs off 10-50 ms; the real waiting is retry-after's 1 s.
 */
export function matrixPlugins(peers: DemoPeers): PluginFactories {
  const privateHost = new URL(peers.origins.private.origin).host;
  return {
    retry: () => retry({ maxRetries: 3, minDelay: 10, maxDelay: 50 }),
    "retry-after": () => retryAfter({ maxWait: 5_000 }),
    auth: () =>
      auth({
        stores: [
          memoryStore({
            // Loopback is plain http; the credential says it may go there.
            [privateHost]: { kind: "bearer", token: peers.origins.privateToken, allowInsecureHttp: true },
          }),
        ],
      }),
    oci: () => oci({ insecureRegistries: [peers.registry.host] }),
    s3: () => s3({ endpoint: peers.s3.url, region: peers.s3.region, credentials: peers.s3.credentials }),
    gcs: () => gcs({ endpoint: peers.gcs.url, auth: serviceAccount(peers.gcs.serviceAccountKey) }),
    mirror: () =>
      mirror({
        mirrors: {
          [`${peers.origins.deadOrigin}${MIRRORED_PREFIX}`]: [
            `${peers.origins.mirror.origin}/mirror${MIRRORED_PREFIX}`,
          ],
        },
      }),
    // Every origin, as a user guarding a whole client would; more requests in the window than
    // retry's four attempts at the dead primary, so only the down host trips it.
    breaker: () => breaker({ minimumRequests: BREAKER_MINIMUM_REQUESTS, failureRatio: 0.5, openMs: 30_000 }),
    // The slow host only, with a fixed delay: a fresh client per cell has no latency history, and
    // racing the other scenarios' deliberate waits would only add requests.
    hedge: () => hedge({ delay: 100, maxExtraLoad: 1, origins: [peers.origins.slowFirst.origin] }),
    // Every origin, adaptive: it paces only hosts that throttle (the flaky and down hosts' 503s
    // too); a floor of 5 requests/s keeps those cells quick.
    "rate-limit": () => rateLimit({ maxWait: 5_000, minRate: 5 }),
  };
}
