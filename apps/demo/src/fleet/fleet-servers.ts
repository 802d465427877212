import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** What the rate-limited host saw in one run. */
export interface RateLimitCounts {
  /** 429s that announced a deadline (one per round). */
  announced: number;
  /** Requests that arrived before an announced deadline, sent more than `graceMs` after the 429 left. */
  early: number;
  /** Requests before a deadline but sent within `graceMs` of the 429 (no client could know yet). */
  inFlight: number;
  /** Requests answered 200. */
  served: number;
}

/** A local server and its counters. */
export interface FleetServer<T> {
  readonly url: string;
  readonly counts: T;
  reset(): void;
  close(): Promise<void>;
}

async function listen(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/**
 * A host that rate-limits in rounds: the first request of a round gets 429 with `Retry-After:
 * retryAfterSeconds` and opens a deadline; requests before it are "early" (answered 429 with the
 * time left, the penalty a real API gives early callers); after it, `openMs` of normal service,
 * then the next request starts a new round. A request that arrives within `graceMs` of the 429 was
 * already on its way when the 429 left, and is counted apart (no client could have held it back).
 */
export async function startRateLimitedHost(
  retryAfterSeconds = 1,
  openMs = 600,
  graceMs = 100,
): Promise<FleetServer<RateLimitCounts>> {
  const counts: RateLimitCounts = { announced: 0, early: 0, inFlight: 0, served: 0 };
  let announcedAt = 0;
  let deadline = 0;
  const { server, url } = await listen((req, res) => {
    const now = Date.now();
    if (now < deadline) {
      const sent = Number(req.headers["x-fleet-sent"] ?? now);
      if (sent - announcedAt <= graceMs) counts.inFlight++;
      else counts.early++;
      res.writeHead(429, { "retry-after": String(Math.ceil((deadline - now) / 1000)) }).end();
      return;
    }
    if (now >= deadline + openMs) {
      announcedAt = now;
      deadline = now + retryAfterSeconds * 1000;
      counts.announced++;
      res.writeHead(429, { "retry-after": String(retryAfterSeconds) }).end();
      return;
    }
    counts.served++;
    res.end("ok");
  });
  return {
    url,
    counts,
    reset() {
      Object.assign(counts, { announced: 0, early: 0, inFlight: 0, served: 0 });
      announcedAt = 0;
      deadline = 0;
    },
    close: () => close(server),
  };
}

/** What a mirror saw in one run. */
export interface MirrorCounts {
  requests: number;
  /** Requests that arrived after it died (each one a failure some process paid for). */
  afterDeath: number;
}

/**
 * A mirror that serves files until `dieAfterMs` after its first request of a run, then dies:
 * every later request has its connection destroyed without an answer (a crashed backend behind a
 * live port), so it can still count who kept sending to it.
 */
export async function startMirror(dieAfterMs = Number.POSITIVE_INFINITY): Promise<FleetServer<MirrorCounts>> {
  const counts: MirrorCounts = { requests: 0, afterDeath: 0 };
  let first = 0;
  const { server, url } = await listen((req, res) => {
    counts.requests++;
    if (first === 0) first = Date.now();
    if (Date.now() - first > dieAfterMs) {
      counts.afterDeath++;
      req.socket.destroy();
      return;
    }
    res.end(`file ${req.url}`);
  });
  return {
    url,
    counts,
    reset() {
      Object.assign(counts, { requests: 0, afterDeath: 0 });
      first = 0;
    },
    close: () => close(server),
  };
}
