import type { ServerResponse } from "node:http";
import { freePort, isPortOpen } from "@switchyard/testkit/process";
import {
  startTestServer,
  type TestRequest,
  type TestResponse,
  type TestServer,
} from "@switchyard/testkit/servers";

/** The plain-HTTP hosts of the matrix, each on its own origin (so per-origin state never mixes). */
export interface OriginServers {
  /** Fails twice per path with 503, then answers 200. */
  readonly flaky: TestServer;
  /** Rate-limits per path: 429 with `Retry-After: 1`, and a request before the deadline is early. */
  readonly limited: LimitedHost;
  /** Answers 401 unless `Authorization: Bearer <privateToken>`. */
  readonly private: TestServer;
  /** The bearer token the private host accepts. */
  readonly privateToken: string;
  /** Serves everything under `/mirror/` with text naming the path. */
  readonly mirror: TestServer;
  /** An origin nothing listens on (the dead primary): connections are refused. */
  readonly deadOrigin: string;
  /** Requests per path on the flaky host. */
  flakyCount(path: string): number;
  /** Answers 503 to everything under `/down/`, counting requests per path (the breaker scenario). */
  readonly down: TestServer;
  downCount(path: string): number;
  /** Spends its quota per path on the first request (the rate-limit scenario). */
  readonly quota: LimitedHost;
  /** Answers each path's first request after {@link SLOW_FIRST_MS}, later ones at once (the hedge scenario). */
  readonly slowFirst: TestServer;
  slowFirstCount(path: string): number;
  close(): Promise<void>;
}

/** The 429 host, with what it saw per path. */
export interface LimitedHost {
  readonly server: TestServer;
  readonly origin: string;
  /** Requests that arrived before the deadline the host announced for their path. */
  earlyRequests(path: string): number;
}

/** Seconds announced in `Retry-After`. The smallest whole value: retry-after reads only integers. */
export const RETRY_AFTER_SECONDS = 1;
// Clocks: the client counts its deadline from when it read the 429, which is after we sent it, so
// it is never earlier than ours; the grace only absorbs timer rounding.
const EARLY_GRACE_MS = 50;

/** Seconds until the quota host's window resets (its `RateLimit` header says so). */
export const QUOTA_RESET_SECONDS = 1;
/** How long the slow-first host holds each path's first answer. */
export const SLOW_FIRST_MS = 1500;

/** The text every origin answers, so a scenario can check it got the right bytes. */
export function originText(role: string, path: string): string {
  return `${role} ${path}\n`;
}

function send(res: TestResponse, status: number, headers: Record<string, string>, body: string): void {
  const r = res as ServerResponse;
  r.writeHead(status, {
    "content-type": "text/plain",
    "content-length": Buffer.byteLength(body),
    ...headers,
  });
  r.end(body);
}

function pathOf(req: TestRequest): string {
  const url = req.url ?? "/";
  const q = url.indexOf("?");
  return q === -1 ? url : url.slice(0, q);
}

/** Starts the flaky, rate-limited, private and mirror hosts, and finds a port for the dead primary. */
export async function startOriginServers(): Promise<OriginServers> {
  const flakyCounts = new Map<string, number>();
  const flaky = await startTestServer();
  flaky.route("/flaky/*", (req, res) => {
    const path = pathOf(req);
    const n = (flakyCounts.get(path) ?? 0) + 1;
    flakyCounts.set(path, n);
    if (n <= 2) send(res, 503, {}, `flaky host: attempt ${n} fails\n`);
    else send(res, 200, {}, originText("flaky", path));
  });

  const limits = new Map<string, { deadline: number; early: number }>();
  const limitedServer = await startTestServer();
  limitedServer.route("/limited/*", (req, res) => {
    const path = pathOf(req);
    const now = Date.now();
    const state = limits.get(path);
    if (state === undefined || now < state.deadline - EARLY_GRACE_MS) {
      // First request, or one that ignored the deadline: a rate limiter answers 429 and starts the
      // window again (as limiters that penalise early callers do).
      if (state) state.early++;
      limits.set(path, { deadline: now + RETRY_AFTER_SECONDS * 1000, early: state?.early ?? 0 });
      send(res, 429, { "retry-after": String(RETRY_AFTER_SECONDS) }, "slow down\n");
      return;
    }
    send(res, 200, {}, originText("limited", path));
  });

  const privateToken = `demo-${Math.random().toString(36).slice(2)}`;
  const privateServer = await startTestServer();
  privateServer.route("/private/*", (req, res) => {
    if (req.headers.authorization !== `Bearer ${privateToken}`) {
      send(res, 401, { "www-authenticate": 'Bearer realm="switchyard-demo"' }, "who are you?\n");
      return;
    }
    send(res, 200, {}, originText("private", pathOf(req)));
  });

  const mirror = await startTestServer();
  mirror.route("/mirror/*", (req, res) => {
    send(res, 200, {}, originText("mirror", pathOf(req).slice("/mirror".length)));
  });

  const downCounts = new Map<string, number>();
  const down = await startTestServer();
  down.route("/down/*", (req, res) => {
    const path = pathOf(req);
    downCounts.set(path, (downCounts.get(path) ?? 0) + 1);
    send(res, 503, {}, "down for maintenance\n");
  });

  // One request per window: the first spends the quota and says so (IETF RateLimit header); a
  // request before the reset is early, refused with a bare 429 (no Retry-After: a penalty).
  const quotas = new Map<string, { reset: number; early: number }>();
  const quotaServer = await startTestServer();
  quotaServer.route("/quota/*", (req, res) => {
    const path = pathOf(req);
    const now = Date.now();
    const state = quotas.get(path);
    if (state !== undefined && now < state.reset - EARLY_GRACE_MS) {
      state.early++;
      send(res, 429, {}, "quota spent\n");
      return;
    }
    quotas.set(path, { reset: now + QUOTA_RESET_SECONDS * 1000, early: state?.early ?? 0 });
    send(
      res,
      200,
      { ratelimit: `limit=1, remaining=0, reset=${QUOTA_RESET_SECONDS}` },
      originText("quota", path),
    );
  });

  const slowCounts = new Map<string, number>();
  const slowFirst = await startTestServer();
  slowFirst.route("/slow/*", (req, res) => {
    const path = pathOf(req);
    const n = (slowCounts.get(path) ?? 0) + 1;
    slowCounts.set(path, n);
    if (n > 1) {
      send(res, 200, {}, originText("slow-first", path));
      return;
    }
    const timer = setTimeout(() => send(res, 200, {}, "the slow first answer\n"), SLOW_FIRST_MS);
    res.once("close", () => clearTimeout(timer));
  });

  // A port that was free a moment ago: connecting to it is refused (ECONNREFUSED -> ConnectError).
  // Checked once more, bounded, in case another process took it in between.
  let deadPort = await freePort();
  for (let tries = 0; tries < 5 && (await isPortOpen(deadPort)); tries++) deadPort = await freePort();

  return {
    flaky,
    limited: {
      server: limitedServer,
      origin: limitedServer.origin,
      earlyRequests: (path) => limits.get(path)?.early ?? 0,
    },
    private: privateServer,
    privateToken,
    mirror,
    deadOrigin: `http://127.0.0.1:${deadPort}`,
    flakyCount: (path) => flakyCounts.get(path) ?? 0,
    down,
    downCount: (path) => downCounts.get(path) ?? 0,
    quota: {
      server: quotaServer,
      origin: quotaServer.origin,
      earlyRequests: (path) => quotas.get(path)?.early ?? 0,
    },
    slowFirst,
    slowFirstCount: (path) => slowCounts.get(path) ?? 0,
    async close() {
      await Promise.all(
        [flaky, limitedServer, privateServer, mirror, down, quotaServer, slowFirst].map((s) => s.close()),
      );
    },
  };
}
