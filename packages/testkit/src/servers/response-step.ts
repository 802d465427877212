import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";
import { type GeneratedBody, validateGeneratedBody } from "./generated-body.ts";

/** A request as the test server's handlers see it (HTTP/1.1 or HTTP/2 compatibility API). */
export type TestRequest = IncomingMessage | Http2ServerRequest;
/** A response as the test server's handlers see it (HTTP/1.1 or HTTP/2 compatibility API). */
export type TestResponse = ServerResponse | Http2ServerResponse;

/**
 * Escape hatch: answers the request itself. The request body is not read for it, but what it reads is
 * still hashed into the recorded request.
 */
export type TestHandler = (req: TestRequest, res: TestResponse) => void | Promise<void>;

/**
 * One scripted answer. Fields apply in this order: `delayMs`, `closeBeforeHeaders` /
 * `resetBeforeHeaders`, status and headers, `bodyDelayMs`, then the body paced by `bytesPerSec` and cut
 * by `truncateAfterBytes` or `destroyAfterBytes`. On HTTP/2 "close" and "reset" act on the stream
 * (RST_STREAM), never on the whole connection.
 */
export interface ResponseStep {
  /**
   * Status code.
   * @default 200
   */
  readonly status?: number;
  /** Response headers, e.g. `{ "retry-after": "2" }`. `content-length` is set for known-size bodies unless given. */
  readonly headers?: OutgoingHttpHeaders;
  /** Body: text, bytes, or a generated body of any size streamed without buffering. */
  readonly body?: string | Uint8Array | GeneratedBody;
  /** Waits this long before sending the headers (the request body has been read by then). */
  readonly delayMs?: number;
  /** Waits this long after sending the headers, before the first body byte. */
  readonly bodyDelayMs?: number;
  /** Paces the body to this rate. */
  readonly bytesPerSec?: number;
  /** Closes the connection (FIN) without answering. */
  readonly closeBeforeHeaders?: boolean;
  /** Resets the connection (RST) without answering. */
  readonly resetBeforeHeaders?: boolean;
  /** Resets the connection (RST) once this many body bytes have been written. */
  readonly destroyAfterBytes?: number;
  /**
   * Declares the full `content-length`, sends only this many body bytes, then closes (FIN).
   * `true` sends half the body.
   */
  readonly truncateAfterBytes?: number | true;
  /**
   * Answers as soon as the request arrives instead of after its body has been read (the body is still
   * read and hashed, concurrently).
   * @default false
   */
  readonly respondBeforeBody?: boolean;
  /** Escape hatch: when set, every other field is ignored. */
  readonly handler?: TestHandler;
}

/** What a route answers: one step for every request, a list consumed in order (the last repeats), or a handler. */
export type RouteScript = ResponseStep | readonly ResponseStep[] | TestHandler;

/**
 * A redirect step.
 * @param location - the `Location` header, absolute or relative.
 * @param status - 301, 302, 303, 307 or 308.
 * @defaultValue status 302
 */
export function redirect(location: string, status: 301 | 302 | 303 | 307 | 308 = 302): ResponseStep {
  return { status, headers: { location } };
}

/** Checks a step's numbers eagerly so a typo fails at `route()`, not inside a request. */
export function validateStep(step: ResponseStep): void {
  if (step.handler) return;
  if (isGeneratedBody(step.body)) validateGeneratedBody(step.body);
  const nonNegative = ["delayMs", "bodyDelayMs", "destroyAfterBytes"] as const;
  for (const name of nonNegative) {
    const value = step[name];
    if (value !== undefined && !(Number.isFinite(value) && value >= 0)) {
      throw new RangeError(`${name} must be a non-negative number, got ${value}`);
    }
  }
  if (step.bytesPerSec !== undefined && !(Number.isFinite(step.bytesPerSec) && step.bytesPerSec > 0)) {
    throw new RangeError(`bytesPerSec must be a positive number, got ${step.bytesPerSec}`);
  }
  const t = step.truncateAfterBytes;
  if (t !== undefined && t !== true && !(Number.isSafeInteger(t) && t >= 0)) {
    throw new RangeError(`truncateAfterBytes must be true or a non-negative integer, got ${t}`);
  }
  if (
    step.status !== undefined &&
    !(Number.isInteger(step.status) && step.status >= 100 && step.status <= 999)
  ) {
    throw new RangeError(`status must be an integer from 100 to 999, got ${step.status}`);
  }
}

/** Turns a route script into a function returning the step for the next request (the last repeats). */
export function stepSequence(script: RouteScript): () => ResponseStep {
  if (typeof script === "function") {
    const step: ResponseStep = { handler: script };
    return () => step;
  }
  const steps: readonly ResponseStep[] = Array.isArray(script) ? script : [script as ResponseStep];
  if (steps.length === 0) throw new RangeError("a route script needs at least one step");
  for (const step of steps) validateStep(step);
  let next = 0;
  return () => {
    const step = steps[Math.min(next, steps.length - 1)]!;
    next++;
    return step;
  };
}

/** Tells a generated body spec from text and bytes. */
export function isGeneratedBody(body: ResponseStep["body"]): body is GeneratedBody {
  return typeof body === "object" && !(body instanceof Uint8Array);
}
