import { once } from "node:events";
import type { OutgoingHttpHeaders, ServerResponse } from "node:http";
import { Http2ServerResponse, constants as h2 } from "node:http2";
import { setTimeout as sleep } from "node:timers/promises";
import { Pacer } from "../fault/pacer.ts";
import { generatedBodyChunks } from "./generated-body.ts";
import { isGeneratedBody, type ResponseStep, type TestRequest, type TestResponse } from "./response-step.ts";

/** Largest piece of a text or bytes body written at once, so cuts and pacing stay fine-grained. */
const PIECE = 64 * 1024;

interface StepBody {
  readonly size: number;
  readonly chunks: Iterable<Buffer>;
}

/**
 * Plays one scripted step on `res`. Returns when the answer is complete, cut, or abandoned because the
 * response closed (`signal` aborts then; the pending sleep or drain rejects with an `AbortError`).
 */
export async function sendStep(
  req: TestRequest,
  res: TestResponse,
  step: ResponseStep,
  signal: AbortSignal,
): Promise<void> {
  if (step.delayMs) await sleep(step.delayMs, undefined, { signal });
  if (step.closeBeforeHeaders || step.resetBeforeHeaders) {
    abortConnection(req, res, step.resetBeforeHeaders ? "reset" : "close");
    return;
  }

  const body = stepBody(step);
  const headers: OutgoingHttpHeaders = { ...step.headers };
  if (body && !hasHeader(headers, "content-length") && !hasHeader(headers, "transfer-encoding")) {
    headers["content-length"] = body.size;
  }
  writeHead(res, step.status ?? 200, headers);
  if (!body || req.method === "HEAD") {
    res.end();
    return;
  }
  if (step.bodyDelayMs) {
    flushHeaders(res);
    await sleep(step.bodyDelayMs, undefined, { signal });
  }

  const truncate = step.truncateAfterBytes === true ? Math.floor(body.size / 2) : step.truncateAfterBytes;
  const cutAt = step.destroyAfterBytes ?? truncate;
  const pacer = step.bytesPerSec ? new Pacer(step.bytesPerSec) : undefined;
  const cut = await writeBody(res, body.chunks, cutAt, pacer, signal);
  if (!cut) res.end();
  else abortConnection(req, res, step.destroyAfterBytes !== undefined ? "reset" : "close");
}

function stepBody(step: ResponseStep): StepBody | undefined {
  const { body } = step;
  if (body === undefined) return undefined;
  if (isGeneratedBody(body)) return { size: body.size, chunks: generatedBodyChunks(body) };
  const bytes =
    typeof body === "string" ? Buffer.from(body) : Buffer.from(body.buffer, body.byteOffset, body.length);
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += PIECE) chunks.push(bytes.subarray(at, at + PIECE));
  return { size: bytes.length, chunks };
}

/**
 * Writes chunks with backpressure, paced if asked, stopping after `cutAt` bytes. Returns true when it
 * stopped at `cutAt` (the bytes before the cut have been handed to the socket by then).
 */
async function writeBody(
  res: TestResponse,
  chunks: Iterable<Buffer>,
  cutAt: number | undefined,
  pacer: Pacer | undefined,
  signal: AbortSignal,
): Promise<boolean> {
  let written = 0;
  if (cutAt === 0) {
    flushHeaders(res);
    await writeAndWait(res, undefined, signal);
    return true;
  }
  for (const chunk of chunks) {
    const last = cutAt !== undefined && written + chunk.length >= cutAt;
    const piece = last ? chunk.subarray(0, cutAt - written) : chunk;
    for (const part of pacer ? pacer.slice(piece) : [piece]) {
      if (pacer) await pacer.wait(part.length, signal);
      signal.throwIfAborted();
      written += part.length;
      if (last) await writeAndWait(res, part, signal);
      else if (!(res as NodeJS.WritableStream).write(part)) await once(res, "drain", { signal });
    }
    if (last) return true;
  }
  return false;
}

/**
 * Writes `part` (or, without one, nothing on HTTP/1.1's socket) and waits for its write callback: by
 * then it and everything before it has been handed to the socket.
 */
function writeAndWait(res: TestResponse, part: Buffer | undefined, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    signal.addEventListener("abort", () => resolve(), { once: true });
    if (part) (res as NodeJS.WritableStream).write(part, () => resolve());
    else if (res instanceof Http2ServerResponse) resolve();
    else res.socket?.write("", () => resolve()) ?? resolve();
  });
}

function flushHeaders(res: TestResponse): void {
  if (!(res instanceof Http2ServerResponse)) res.flushHeaders();
}

/**
 * Ends the exchange abnormally. HTTP/1.1: "close" sends FIN after what was written, "reset" sends RST.
 * HTTP/2: the stream alone is reset (CANCEL or INTERNAL_ERROR); the session lives on.
 */
function abortConnection(req: TestRequest, res: TestResponse, how: "close" | "reset"): void {
  if (res instanceof Http2ServerResponse) {
    res.stream.close(how === "close" ? h2.NGHTTP2_CANCEL : h2.NGHTTP2_INTERNAL_ERROR);
    return;
  }
  const socket = req.socket;
  if (how === "reset") socket.resetAndDestroy();
  else socket.destroySoon();
}

function hasHeader(headers: OutgoingHttpHeaders, name: string): boolean {
  return Object.keys(headers).some((key) => key.toLowerCase() === name);
}

/** `res.writeHead` for either response kind (their overloads do not unify in TypeScript). */
export function writeHead(res: TestResponse, status: number, headers: OutgoingHttpHeaders): void {
  (res as ServerResponse).writeHead(status, headers);
}
