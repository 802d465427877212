import { createHash } from "node:crypto";
import {
  CIRCUIT_OPEN_CODE,
  type Client,
  ConnectError,
  type HttpResponse,
  isSwitchyardError,
  replayable,
  servedByKey,
  UnsupportedSchemeError,
} from "@switchyard/core";
import { generatedBodySha256, generatedBodyStream } from "@switchyard/testkit/servers";
import type { DemoPeers } from "../peers/demo-peers.ts";
import { originText } from "../peers/origin-servers.ts";
import { MATRIX_PLUGIN_PACKAGES, type MatrixPluginName } from "../plugin-names.ts";
import { BREAKER_MINIMUM_REQUESTS, MIRRORED_PREFIX } from "./matrix-settings.ts";

/** What one scenario run ended with. */
export type Outcome =
  /** The scenario did what it asks for. */
  | { readonly kind: "ok"; readonly detail: string }
  /** An HTTP answer that is not the one wanted. */
  | { readonly kind: "status"; readonly status: number; readonly detail: string }
  /** The call threw. */
  | { readonly kind: "error"; readonly error: unknown }
  /** A 2xx, but the bytes or side effects are wrong. */
  | { readonly kind: "wrong"; readonly detail: string };

/** What a cell knows about itself. */
export interface CellInfo {
  /** Unique per matrix row, used in paths and keys so rows never share server state. */
  readonly tag: string;
}

/** One matrix column. */
export interface Scenario {
  readonly id: string;
  /** Column header (short). */
  readonly column: string;
  readonly title: string;
  /** The plugin the scenario needs. */
  readonly needs: MatrixPluginName;
  /** Other plugins that also do the job (rate-limit honours Retry-After as retry-after does). */
  readonly alsoServedBy?: readonly MatrixPluginName[];
  /** The clear failure expected without that plugin, in words. */
  readonly expectedFailure: string;
  run(client: Client, cell: CellInfo, peers: DemoPeers): Promise<Outcome>;
  /** `undefined` when `outcome` is exactly the expected failure; otherwise why it is not. */
  checkExpectedFailure(outcome: Outcome, cell: CellInfo, peers: DemoPeers): string | undefined;
}

/** A short description of an outcome for the report. */
export function describeOutcome(outcome: Outcome): string {
  switch (outcome.kind) {
    case "ok":
      return `ok: ${outcome.detail}`;
    case "status":
      return `HTTP ${outcome.status}: ${outcome.detail}`;
    case "wrong":
      return `wrong result: ${outcome.detail}`;
    case "error": {
      const e = outcome.error as { name?: string; code?: string; message?: string };
      const code = e?.code ? ` (${e.code})` : "";
      return `${e?.name ?? "Error"}${code}: ${String(e?.message ?? outcome.error).split("\n")[0]}`;
    }
  }
}

async function expectText(res: HttpResponse, want: string, what: string): Promise<Outcome> {
  if (!res.ok) {
    const body = (await res.text().catch(() => "")).trim().slice(0, 80);
    return { kind: "status", status: res.status, detail: body };
  }
  const got = await res.text();
  if (got !== want) return { kind: "wrong", detail: `${what}: got ${JSON.stringify(got.slice(0, 60))}` };
  return { kind: "ok", detail: `${what} (${Buffer.byteLength(got)} bytes)` };
}

async function attempt(run: () => Promise<Outcome>): Promise<Outcome> {
  try {
    return await run();
  } catch (error) {
    return { kind: "error", error };
  }
}

/** The expected failure of the resolve plugins: core's error naming the package to add. */
function unsupportedScheme(scheme: string, needs: MatrixPluginName) {
  return (outcome: Outcome): string | undefined => {
    if (outcome.kind !== "error") return `expected UnsupportedSchemeError, got ${describeOutcome(outcome)}`;
    const error = outcome.error;
    if (!(error instanceof UnsupportedSchemeError)) {
      return `expected UnsupportedSchemeError, got ${describeOutcome(outcome)}`;
    }
    if (error.scheme !== scheme) return `the error names scheme ${error.scheme}, not ${scheme}`;
    if (!error.message.includes(MATRIX_PLUGIN_PACKAGES[needs])) {
      return `the message does not name ${MATRIX_PLUGIN_PACKAGES[needs]}: ${error.message}`;
    }
    return undefined;
  };
}

function statusFailure(status: number, outcome: Outcome): string | undefined {
  if (outcome.kind === "status" && outcome.status === status) return undefined;
  return `expected HTTP ${status}, got ${describeOutcome(outcome)}`;
}

const S3_PUT_SIZE = 256 * 1024;

/** The breaker scenario's path for a cell. */
const downPath = (cell: CellInfo) => `/down/${cell.tag}/status`;
const quotaPath = (cell: CellInfo) => `/quota/${cell.tag}/items`;
const slowPath = (cell: CellInfo) => `/slow/${cell.tag}/index.json`;

/** The eleven scenarios, one per column. */
export const SCENARIOS: readonly Scenario[] = [
  {
    id: "oci",
    column: "oci",
    title: "oci pull",
    needs: "oci",
    expectedFailure: "UnsupportedSchemeError naming @switchyard/oci",
    run: (client, _cell, peers) =>
      attempt(async () => {
        const f = peers.fixtures;
        const url = `oci://${peers.registry.host}/${f.ociRepository}:${f.ociTag}?title=${f.ociTitle}`;
        return expectText(await client.request(url), f.ociText, "layer bytes, sha256 verified");
      }),
    checkExpectedFailure: unsupportedScheme("oci", "oci"),
  },
  {
    id: "s3-get",
    column: "s3get",
    title: "s3 get",
    needs: "s3",
    expectedFailure: "UnsupportedSchemeError naming @switchyard/s3",
    run: (client, _cell, peers) =>
      attempt(async () => {
        const f = peers.fixtures;
        return expectText(
          await client.request(`s3://${f.s3Bucket}/${f.s3Key}`),
          f.s3Text,
          "object, SigV4 checked",
        );
      }),
    checkExpectedFailure: unsupportedScheme("s3", "s3"),
  },
  {
    id: "s3-put",
    column: "s3put",
    title: "s3 put",
    needs: "s3",
    expectedFailure: "UnsupportedSchemeError naming @switchyard/s3",
    run: (client, cell, peers) =>
      attempt(async () => {
        const key = `uploads/${cell.tag}.bin`;
        const spec = { size: S3_PUT_SIZE, seed: cell.tag };
        const res = await client.request(`s3://${peers.fixtures.s3Bucket}/${key}`, {
          method: "PUT",
          body: replayable(() => generatedBodyStream(spec), { length: S3_PUT_SIZE }),
        });
        if (!res.ok) return { kind: "status", status: res.status, detail: (await res.text()).slice(0, 80) };
        await res.discard();
        // Read back from s3rver itself, past the plugin, to see what really landed.
        const stored = await fetch(`${peers.s3.upstreamUrl}/${peers.fixtures.s3Bucket}/${key}`);
        const bytes = Buffer.from(await stored.arrayBuffer());
        const digest = createHash("sha256").update(bytes).digest("hex");
        if (!stored.ok || digest !== generatedBodySha256(spec)) {
          return { kind: "wrong", detail: `stored object is ${bytes.length} bytes with another sha256` };
        }
        return { kind: "ok", detail: `${S3_PUT_SIZE} bytes streamed (UNSIGNED-PAYLOAD), read back intact` };
      }),
    checkExpectedFailure: unsupportedScheme("s3", "s3"),
  },
  {
    id: "gs",
    column: "gs",
    title: "gs get",
    needs: "gcs",
    expectedFailure: "UnsupportedSchemeError naming @switchyard/gcs",
    run: (client, _cell, peers) =>
      attempt(async () => {
        const f = peers.fixtures;
        const res = await client.request(`gs://${f.gcsBucket}/${f.gcsObject}`);
        return expectText(res, f.gcsText, "object, OAuth2 bearer from a service-account JWT");
      }),
    checkExpectedFailure: unsupportedScheme("gs", "gcs"),
  },
  {
    id: "auth",
    column: "auth",
    title: "private host",
    needs: "auth",
    expectedFailure: "HTTP 401 from the private host",
    run: (client, cell, peers) =>
      attempt(async () => {
        const path = `/private/${cell.tag}/report.txt`;
        return expectText(
          await client.request(`${peers.origins.private.origin}${path}`),
          originText("private", path),
          "bearer token from the store",
        );
      }),
    checkExpectedFailure: (outcome) => statusFailure(401, outcome),
  },
  {
    id: "flaky",
    column: "flaky",
    title: "flaky host (503, 503, 200)",
    needs: "retry",
    expectedFailure: "HTTP 503 after exactly one request",
    run: (client, cell, peers) =>
      attempt(async () => {
        const path = `/flaky/${cell.tag}/data.txt`;
        const outcome = await expectText(
          await client.request(`${peers.origins.flaky.origin}${path}`),
          originText("flaky", path),
          "third attempt",
        );
        const n = peers.origins.flakyCount(path);
        if (outcome.kind === "ok" && n !== 3)
          return { kind: "wrong", detail: `the host saw ${n} requests, not 3` };
        return outcome;
      }),
    checkExpectedFailure: (outcome, cell, peers) => {
      const n = peers.origins.flakyCount(`/flaky/${cell.tag}/data.txt`);
      if (n !== 1) return `expected one request to the flaky host, it saw ${n}`;
      return statusFailure(503, outcome);
    },
  },
  {
    id: "429",
    column: "429",
    title: "rate-limited host (429, Retry-After: 1)",
    needs: "retry-after",
    alsoServedBy: ["rate-limit"],
    expectedFailure: "HTTP 429: the client came back before the deadline",
    run: (client, cell, peers) =>
      attempt(async () => {
        // What an application does: call, and on a 429 call once more.
        const path = `/limited/${cell.tag}/page`;
        const url = `${peers.origins.limited.origin}${path}`;
        let res = await client.request(url);
        if (res.status === 429) {
          await res.discard();
          res = await client.request(url);
        }
        const outcome = await expectText(res, originText("limited", path), "answered after the deadline");
        const early = peers.origins.limited.earlyRequests(path);
        if (outcome.kind === "ok" && early > 0) {
          return { kind: "wrong", detail: `${early} request(s) arrived before the announced deadline` };
        }
        return outcome;
      }),
    checkExpectedFailure: (outcome) => statusFailure(429, outcome),
  },
  {
    id: "mirror",
    column: "mirror",
    title: "dead primary with a mirror",
    needs: "mirror",
    expectedFailure: "ConnectError from the dead primary",
    run: (client, cell, peers) =>
      attempt(async () => {
        const rest = `${MIRRORED_PREFIX}/${cell.tag}/pkg.tar`;
        const res = await client.request(`${peers.origins.deadOrigin}${rest}`);
        const outcome = await expectText(res, originText("mirror", rest), "served by the mirror");
        if (outcome.kind === "ok" && res.context.get(servedByKey)?.kind !== "mirror") {
          return { kind: "wrong", detail: "servedByKey does not name the mirror" };
        }
        return outcome;
      }),
    checkExpectedFailure: (outcome) => {
      if (outcome.kind === "error" && outcome.error instanceof ConnectError) return undefined;
      return `expected ConnectError, got ${describeOutcome(outcome)}`;
    },
  },
  {
    id: "down",
    column: "down",
    title: "host down (503 to everything)",
    needs: "breaker",
    expectedFailure: "the client keeps sending to the down host",
    run: (client, cell, peers) =>
      attempt(async () => {
        // What an application does: keep calling, up to a bound, until it is told to stop.
        const url = `${peers.origins.down.origin}${downPath(cell)}`;
        let last: Outcome = { kind: "wrong", detail: "no call made" };
        for (
          let call = 0;
          call < 8 && peers.origins.downCount(downPath(cell)) <= BREAKER_MINIMUM_REQUESTS;
          call++
        ) {
          try {
            const res = await client.request(url);
            await res.discard();
            last = { kind: "status", status: res.status, detail: "the down host answered" };
          } catch (error) {
            if (!isSwitchyardError(error, CIRCUIT_OPEN_CODE)) return { kind: "error", error };
            const n = peers.origins.downCount(downPath(cell));
            if (n !== BREAKER_MINIMUM_REQUESTS)
              return { kind: "wrong", detail: `the host saw ${n} requests` };
            return { kind: "ok", detail: `circuit open after ${n} requests; CircuitOpenError, nothing sent` };
          }
        }
        return last;
      }),
    checkExpectedFailure: (outcome, cell, peers) => {
      const n = peers.origins.downCount(downPath(cell));
      if (outcome.kind === "ok" || n <= BREAKER_MINIMUM_REQUESTS) {
        return `expected the down host to keep receiving requests, it saw ${n}: ${describeOutcome(outcome)}`;
      }
      return undefined;
    },
  },
  {
    id: "quota",
    column: "quota",
    title: "quota host (RateLimit: remaining=0, reset=1)",
    needs: "rate-limit",
    expectedFailure: "HTTP 429: the second request came before the announced reset",
    run: (client, cell, peers) =>
      attempt(async () => {
        const url = `${peers.origins.quota.origin}${quotaPath(cell)}`;
        const first = await client.request(url);
        await first.discard();
        const outcome = await expectText(
          await client.request(url),
          originText("quota", quotaPath(cell)),
          "after the reset",
        );
        const early = peers.origins.quota.earlyRequests(quotaPath(cell));
        if (outcome.kind === "ok" && early > 0) {
          return { kind: "wrong", detail: `${early} request(s) arrived before the announced reset` };
        }
        return outcome;
      }),
    checkExpectedFailure: (outcome, cell, peers) => {
      const early = peers.origins.quota.earlyRequests(quotaPath(cell));
      if (outcome.kind === "ok" || early === 0) {
        return `expected a request before the reset, got ${early}: ${describeOutcome(outcome)}`;
      }
      return undefined;
    },
  },
  {
    id: "slow",
    column: "slow",
    title: "slow first answer (1.5 s)",
    needs: "hedge",
    expectedFailure: "the slow first answer, after 1.5 s",
    run: (client, cell, peers) =>
      attempt(async () => {
        const res = await client.request(`${peers.origins.slowFirst.origin}${slowPath(cell)}`);
        const outcome = await expectText(
          res,
          originText("slow-first", slowPath(cell)),
          "the hedge answered first",
        );
        const n = peers.origins.slowFirstCount(slowPath(cell));
        if (outcome.kind === "ok" && n !== 2)
          return { kind: "wrong", detail: `the host saw ${n} requests, not 2` };
        return outcome;
      }),
    checkExpectedFailure: (outcome, cell, peers) => {
      const n = peers.origins.slowFirstCount(slowPath(cell));
      if (outcome.kind !== "wrong" || n !== 1) {
        return `expected the slow first answer from one request, got ${describeOutcome(outcome)} after ${n}`;
      }
      return undefined;
    },
  },
];
