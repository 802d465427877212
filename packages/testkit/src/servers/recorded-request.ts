import { createHash } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import type { TestRequest } from "./response-step.ts";

/**
 * A request the test server received. The body is hashed as it streams in; it is kept only when the
 * server was started with `keepBodies`. Fields about the body fill in while it arrives: check
 * `bodyComplete` (or await {@link TestServer.waitForRequests}) before trusting them.
 */
export interface RecordedRequest {
  /** Position among the requests the server received since start or the last `reset()`, from 0. */
  readonly index: number;
  readonly method: string;
  /** The request target as sent (path and query). */
  readonly url: string;
  /** The path without the query. */
  readonly path: string;
  /** `"1.1"` or `"2.0"`. */
  readonly httpVersion: string;
  readonly headers: IncomingHttpHeaders;
  /** The client's port: equal ports mean one reused connection. */
  readonly remotePort: number | undefined;
  /** Body bytes received so far. */
  bodyBytes: number;
  /** Hex sha256 of the body, set once it has been fully received. */
  bodySha256: string | undefined;
  /** True once the body ended normally. */
  bodyComplete: boolean;
  /** True when the request stream closed before its body ended (client abort, reset). */
  aborted: boolean;
  /** The body, only with `keepBodies`. */
  body: Buffer | undefined;
}

/**
 * Records `req` and taps its body without consuming it: the stream is left paused, and every chunk
 * anyone reads from it is counted and hashed. Resolves when the body ended or the request closed.
 */
export function recordRequest(
  req: TestRequest,
  index: number,
  keepBody: boolean,
): { record: RecordedRequest; settled: Promise<void> } {
  const url = req.url ?? "/";
  const query = url.indexOf("?");
  const record: RecordedRequest = {
    index,
    method: req.method ?? "GET",
    url,
    path: query === -1 ? url : url.slice(0, query),
    httpVersion: req.httpVersion,
    headers: req.headers,
    remotePort: req.socket?.remotePort,
    bodyBytes: 0,
    bodySha256: undefined,
    bodyComplete: false,
    aborted: false,
    body: undefined,
  };
  const hash = createHash("sha256");
  const kept: Buffer[] = [];
  // Explicitly paused, a stream stays paused when a 'data' listener is added: whoever reads it
  // (our resume(), or a handler's pipe or async iteration) drives the flow, and the tap sees each chunk.
  req.pause();
  req.on("data", (chunk: Buffer) => {
    record.bodyBytes += chunk.length;
    hash.update(chunk);
    if (keepBody) kept.push(chunk);
  });
  const settled = new Promise<void>((resolve) => {
    req.once("end", () => {
      record.bodySha256 = hash.digest("hex");
      record.bodyComplete = true;
      if (keepBody) record.body = Buffer.concat(kept);
      resolve();
    });
    req.once("close", () => {
      if (!record.bodyComplete) record.aborted = true;
      resolve();
    });
  });
  // A reset mid-body emits 'error' on some paths; the record's `aborted` says so.
  req.on("error", () => {});
  return { record, settled };
}
