import { auth, memoryStore } from "@switchyard/auth";
import type { Middleware, StateStore } from "@switchyard/core";
import { gcs, staticToken } from "@switchyard/gcs";
import { mirror } from "@switchyard/mirror";
import { oci } from "@switchyard/oci";
import { retry } from "@switchyard/retry";
import { retryAfter } from "@switchyard/retry-after";
import { s3 } from "@switchyard/s3";

/** A fixed, non-secret key: the benchmark never exchanges a token. */
const BENCH_SEAL_KEY = Buffer.alloc(32, 7);

/**
 * All seven as a user configures them for other hosts than the one requested: the mirror maps
 * another host's prefix, auth holds a credential for another host, s3 and gcs keep their default
 * (cloud) endpoints, oci its defaults. The configuration an independent harness measures.
 */
export function allSevenAsUsersConfigure(): Middleware[] {
  return [
    retry(),
    retryAfter(),
    auth({
      stores: [memoryStore({ "repo.example.com": { kind: "bearer", token: "bench-token-not-used" } })],
    }),
    mirror({
      mirrors: { "https://conda.anaconda.org/conda-forge": ["https://mirror.example.com/conda-forge"] },
    }),
    oci(),
    s3({ credentials: { accessKeyId: "AKIDBENCH", secretAccessKey: "bench-secret-not-used" } }),
    gcs({ auth: staticToken("bench-gcs-token-not-used") }),
  ];
}

/**
 * All seven plugins, each configured for real but with nothing to do for a plain `http:` GET to
 * `origin`: auth holds a credential for another host, the mirror maps another prefix of the same
 * origin (so the prefix match runs and fails on the path), s3 and gcs have endpoints and keys, oci
 * defaults. retry and retry-after are active on every request: they wrap each call.
 *
 * With `stateStore`, the plugins that share state (retry-after, mirror, oci) are given it: on these
 * pass-through requests they must not touch it beyond their first contact (the target:
 * >= 0.92x bare undici with a Redis store).
 */
export function allSevenPlugins(origin: string, stateStore?: StateStore): Middleware[] {
  const shared = stateStore === undefined ? {} : { stateStore };
  return [
    retry(),
    retryAfter({ ...shared }),
    auth({
      stores: [memoryStore({ "other.example.com": { kind: "bearer", token: "bench-token-not-used" } })],
    }),
    mirror({ mirrors: { [`${origin}/mirrored`]: [`${origin}/elsewhere`] }, ...shared }),
    oci(stateStore === undefined ? {} : { stateStore, sealKey: BENCH_SEAL_KEY }),
    s3({
      endpoint: "http://127.0.0.1:9",
      region: "us-east-1",
      credentials: { accessKeyId: "AKIDBENCH", secretAccessKey: "bench-secret-not-used" },
    }),
    gcs({ endpoint: "http://127.0.0.1:9", auth: staticToken("bench-gcs-token-not-used") }),
  ];
}
