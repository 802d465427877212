import { once } from "node:events";
import { createServer as createHttpServer, type Server as HttpServer } from "node:http";
import { createServer as createH2cServer, createSecureServer } from "node:http2";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo, Server, Socket } from "node:net";
import { getTestCertificates } from "../tls/test-certificates.ts";
import { matchRoute } from "./match-route.ts";
import { type RecordedRequest, recordRequest } from "./recorded-request.ts";
import {
  type ResponseStep,
  type RouteScript,
  stepSequence,
  type TestRequest,
  type TestResponse,
} from "./response-step.ts";
import { sendStep, writeHead } from "./send-step.ts";
import { waitUntil, withTimeout } from "./wait-until.ts";

/** TLS material for {@link startTestServer}. */
export interface TestServerTls {
  /** Server certificate, PEM. */
  readonly cert: string;
  /** Server private key, PEM. */
  readonly key: string;
  /** CA(s) that client certificates must chain to (mTLS). */
  readonly ca?: string | readonly string[];
  /**
   * Asks clients for a certificate.
   * @default false
   */
  readonly requestCert?: boolean;
  /**
   * With `requestCert`, refuses clients without a certificate signed by `ca`.
   * @default true
   */
  readonly rejectUnauthorized?: boolean;
}

/** Options for {@link startTestServer}. */
export interface TestServerOptions {
  /**
   * Serves HTTP/2: over TLS (ALPN h2, with HTTP/1.1 fallback unless `allowHTTP1` is false) when `tls`
   * is set, else cleartext h2c with prior knowledge.
   * @default false
   */
  readonly http2?: boolean;
  /**
   * HTTPS: `true` uses {@link getTestCertificates} (server certificate for localhost/127.0.0.1/::1).
   * @default undefined (plain HTTP)
   */
  readonly tls?: true | TestServerTls;
  /**
   * With HTTP/2 over TLS, also answers clients that negotiate HTTP/1.1.
   * @default true
   */
  readonly allowHTTP1?: boolean;
  /**
   * Keeps every request body in its {@link RecordedRequest} (else only its size and sha256).
   * @default false
   */
  readonly keepBodies?: boolean;
  /**
   * Loopback address to listen on.
   * @default "127.0.0.1"
   */
  readonly host?: "127.0.0.1" | "::1";
}

/** A running scriptable server; see {@link startTestServer}. */
export interface TestServer {
  /** `origin + "/"`. */
  readonly url: string;
  /** `http://127.0.0.1:PORT` or `https://...`, `[::1]` for IPv6. */
  readonly origin: string;
  readonly port: number;
  /** Requests received since start or the last {@link TestServer.reset}, in arrival order. */
  readonly requests: readonly RecordedRequest[];
  /** Errors thrown by handlers or steps (not client aborts); a test can assert it stays empty. */
  readonly errors: readonly unknown[];
  /** TCP connections accepted since start or the last reset. */
  readonly connections: number;
  /** TCP connections open now. */
  readonly openConnections: number;
  /**
   * Scripts answers for `path` (the request path without query; a trailing `*` matches a prefix, the
   * longest prefix wins). Replaces any script for the same path and restarts its step sequence.
   * Unrouted paths answer 404.
   */
  route(path: string, script: RouteScript): TestServer;
  /**
   * Resolves once `count` requests have arrived and each has finished or aborted its body; rejects
   * after `timeoutMs`.
   */
  waitForRequests(count: number, timeoutMs?: number): Promise<readonly RecordedRequest[]>;
  /**
   * Resolves once exactly `count` connections are open (e.g. 0 after a client closed its pool: no
   * leaked sockets); rejects after `timeoutMs`.
   */
  waitForOpenConnections(count: number, timeoutMs?: number): Promise<void>;
  /** Forgets routes, recorded requests, errors and the connection count; open connections stay. */
  reset(): void;
  /** Stops listening and destroys every open connection. Idempotent. */
  close(): Promise<void>;
}

const NOT_FOUND: ResponseStep = {
  status: 404,
  body: "no route\n",
  headers: { "content-type": "text/plain" },
};

/**
 * Starts a scriptable HTTP/1.1 or HTTP/2 server on a free loopback port.
 *
 * @example
 * ```ts
 * const srv = await startTestServer();
 * srv.route("/flaky", [{ status: 503, headers: { "retry-after": "1" } }, { body: { size: 1 << 20 } }]);
 * const res = await request(`${srv.origin}/flaky`);           // 503, then 1 MiB on the next call
 * expect(srv.requests).toHaveLength(1);
 * await srv.close();
 * ```
 */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const host = options.host ?? "127.0.0.1";
  if (host !== "127.0.0.1" && host !== "::1")
    throw new RangeError(`host must be a loopback address, got ${host}`);
  const tls = options.tls === true ? defaultTls() : options.tls;
  const keepBodies = options.keepBodies ?? false;

  const routes = new Map<string, () => ResponseStep>();
  const requests: RecordedRequest[] = [];
  const settled: Promise<void>[] = [];
  const errors: unknown[] = [];
  const sockets = new Set<Socket>();
  const waiters = new Set<() => void>();
  let connections = 0;

  const onRequest = (req: TestRequest, res: TestResponse): void => {
    const { record, settled: bodyDone } = recordRequest(req, requests.length, keepBodies);
    requests.push(record);
    settled.push(bodyDone);
    for (const wake of waiters) wake();
    const step = matchRoute(routes, record.path)?.() ?? NOT_FOUND;
    void answer(req, res, step, bodyDone, errors);
  };

  const server = createUnderlyingServer(options, tls, onRequest);
  server.on("connection", (socket: Socket) => {
    connections++;
    sockets.add(socket);
    for (const wake of waiters) wake();
    socket.once("close", () => {
      sockets.delete(socket);
      for (const wake of waiters) wake();
    });
  });
  // Broken clients are part of the tests; never let their errors crash the process.
  server.on("clientError", (_error: unknown, socket: Socket) => socket.destroy());
  server.on("tlsClientError", () => {});
  server.on("sessionError", () => {});

  server.listen(0, host);
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  const origin = `${tls ? "https" : "http"}://${host === "::1" ? "[::1]" : host}:${port}`;

  let closing: Promise<void> | undefined;
  const srv: TestServer = {
    url: `${origin}/`,
    origin,
    port,
    requests,
    errors,
    get connections() {
      return connections;
    },
    get openConnections() {
      return sockets.size;
    },
    route(path, script) {
      routes.set(path, stepSequence(script));
      return srv;
    },
    async waitForRequests(count, timeoutMs = 5_000) {
      const deadline = performance.now() + timeoutMs;
      const waited = () => `waited ${timeoutMs} ms for ${count} requests`;
      await waitUntil(
        () => requests.length >= count,
        waiters,
        timeoutMs,
        () => `${waited()}, got ${requests.length}`,
      );
      await withTimeout(Promise.all(settled.slice(0, count)), deadline - performance.now(), () => {
        return `${waited()} to finish their bodies`;
      });
      return requests.slice(0, count);
    },
    waitForOpenConnections(count, timeoutMs = 5_000) {
      return waitUntil(
        () => sockets.size === count,
        waiters,
        timeoutMs,
        () => {
          return `waited ${timeoutMs} ms for ${count} open connections, have ${sockets.size}`;
        },
      );
    },
    reset() {
      routes.clear();
      requests.length = 0;
      settled.length = 0;
      errors.length = 0;
      connections = 0;
    },
    close() {
      if (!closing) {
        const listening = new Promise<void>((resolve) => server.close(() => resolve()));
        // Wait for each socket's own 'close' too: the server's callback can run before them.
        const open = [...sockets].map((socket) => {
          const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
          socket.destroy();
          return closed;
        });
        closing = Promise.all([listening, ...open]).then(() => {});
      }
      return closing;
    },
  };
  return srv;
}

function defaultTls(): TestServerTls {
  return getTestCertificates().server;
}

function createUnderlyingServer(
  options: TestServerOptions,
  tls: TestServerTls | undefined,
  onRequest: (req: TestRequest, res: TestResponse) => void,
): Server {
  const tlsOptions = tls && {
    cert: tls.cert,
    key: tls.key,
    ...(tls.ca === undefined ? {} : { ca: tls.ca as string | string[] }),
    requestCert: tls.requestCert ?? false,
    rejectUnauthorized: tls.rejectUnauthorized ?? true,
  };
  if (options.http2) {
    if (!tlsOptions) return createH2cServer(onRequest);
    return createSecureServer({ ...tlsOptions, allowHTTP1: options.allowHTTP1 ?? true }, onRequest);
  }
  const server: HttpServer = tlsOptions
    ? createHttpsServer(tlsOptions, onRequest)
    : createHttpServer(onRequest);
  return server;
}

async function answer(
  req: TestRequest,
  res: TestResponse,
  step: ResponseStep,
  bodyDone: Promise<void>,
  errors: unknown[],
): Promise<void> {
  const closed = new AbortController();
  res.once("close", () => closed.abort());
  try {
    if (step.handler) {
      await step.handler(req, res);
      return;
    }
    req.resume();
    if (!step.respondBeforeBody) await bodyDone;
    if (closed.signal.aborted) return;
    await sendStep(req, res, step, closed.signal);
  } catch (error) {
    if (closed.signal.aborted) return; // the client went away: not the step's fault
    errors.push(error);
    if (res.headersSent) {
      res.destroy();
      return;
    }
    writeHead(res, 500, { "content-type": "text/plain" });
    res.end(`test server: ${error}\n`);
  }
}
