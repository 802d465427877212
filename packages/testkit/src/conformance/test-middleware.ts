// Middleware for the conformance suite's own tests: one correct, the others each broken in one way.
import diagnosticsChannel from "node:diagnostics_channel";
import { Readable } from "node:stream";
import type { Middleware, Next } from "@switchyard/core";
import { HttpRequest, HttpResponse } from "@switchyard/core";

/** Correct: passes every request through untouched, without an async wrapper. */
export function passThrough(): Middleware {
  return { name: "pass-through", stage: "send", handle: (request, next) => next(request) };
}

/** Correct and acting on every request: adds a header with `request.with`. */
export function addsHeader(): Middleware {
  return {
    name: "adds-header",
    stage: "authorize",
    handle: (request, next) => next(request.with({ headers: { "x-added": "1" } })),
  };
}

/** Broken: writes a header into the request's own header record. */
export function mutatesHeaders(): Middleware {
  return {
    name: "mutates-headers",
    stage: "send",
    handle(request, next) {
      (request.headers.toRecord() as Record<string, string>)["x-mutated"] = "1";
      return next(request);
    },
  };
}

/** Broken: changes the request's cached parsed URL (freezing cannot stop this one). */
export function mutatesUrl(): Middleware {
  return {
    name: "mutates-url",
    stage: "send",
    handle(request, next) {
      request.parsedUrl.searchParams.set("mutated", "1");
      return next(request);
    },
  };
}

async function collect(stream: AsyncIterable<Uint8Array>): Promise<Buffer[]> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(Buffer.from(chunk));
  return parts;
}

/** Broken: reads whole request and response bodies into memory before passing them on. */
export function buffersBodies(): Middleware {
  return {
    name: "buffers-bodies",
    stage: "send",
    async handle(request: HttpRequest, next: Next) {
      let sent = request;
      const body = request.body;
      if (body !== undefined && typeof body === "object" && Symbol.asyncIterator in body) {
        sent = request.with({ body: Buffer.concat(await collect(body as AsyncIterable<Uint8Array>)) });
      }
      const response = await next(sent);
      const parts = await collect(response.body);
      return response.with({ body: Readable.from(parts) });
    },
  };
}

/** Broken: turns every failure into an empty 200. */
export function swallowsErrors(): Middleware {
  return {
    name: "swallows-errors",
    stage: "send",
    handle: (request, next) =>
      next(request).catch(() => new HttpResponse({ status: 200, url: request.url, body: null })),
  };
}

/** Broken: starts a 30 s timer per call and never clears it. `clear()` clears them for the test. */
export function leaksTimer(timers: Set<NodeJS.Timeout>): Middleware {
  return {
    name: "leaks-timer",
    stage: "send",
    handle(request, next) {
      timers.add(setTimeout(() => {}, 30_000));
      return next(request);
    },
  };
}

/** Broken: adds an abort listener to the call's signal and never removes it. */
export function leaksSignalListener(): Middleware {
  return {
    name: "leaks-listener",
    stage: "send",
    handle(request, next) {
      request.signal?.addEventListener("abort", () => {});
      return next(request);
    },
  };
}

/** The channel {@link leaksSecretInEvent} publishes on. */
export const LEAKY_CHANNEL = "switchyard:leaky:request";
const leaky = diagnosticsChannel.channel(LEAKY_CHANNEL);

/** Broken: publishes the raw URL and every header value in an event. */
export function leaksSecretInEvent(): Middleware {
  return {
    name: "leaky",
    stage: "send",
    handle(request, next) {
      if (leaky.hasSubscribers) {
        leaky.publish({ url: request.url, headers: Object.fromEntries(request.headers) });
      }
      return next(request);
    },
  };
}

/** Broken: keeps per-call state in itself, so a second `next` through it fails. */
export function singleUse(): Middleware {
  let used = false;
  return {
    name: "single-use",
    stage: "send",
    handle(request, next) {
      if (used) return Promise.reject(new Error("single-use middleware called twice"));
      used = true;
      return next(request);
    },
  };
}

/** Broken: rebuilds the request without its signal, so aborts never reach the transport. */
export function dropsSignal(): Middleware {
  return {
    name: "drops-signal",
    stage: "send",
    handle(request, next) {
      const { signal: _dropped, ...options } = request.options;
      const rebuilt = new HttpRequest(request.url, {
        ...options,
        method: request.method,
        headers: request.headers,
        body: request.body ?? null,
      });
      return next(rebuilt);
    },
  };
}

/** Broken: streams responses on, but keeps a copy of every chunk (memory grows with the body). */
export function retainsResponseCopy(kept: Buffer[]): Middleware {
  return {
    name: "retains-copy",
    stage: "send",
    async handle(request, next) {
      const response = await next(request);
      const source = response.body;
      async function* copying(): AsyncGenerator<Uint8Array> {
        for await (const chunk of source) {
          kept.push(Buffer.from(chunk as Uint8Array));
          yield chunk as Uint8Array;
        }
      }
      return response.with({ body: Readable.from(copying(), { objectMode: false }) });
    },
  };
}

/** Broken: reads whole response bodies into memory before returning them (requests stream). */
export function buffersResponses(): Middleware {
  return {
    name: "buffers-responses",
    stage: "send",
    async handle(request, next) {
      const response = await next(request);
      const parts = await collect(response.body);
      return response.with({ body: Readable.from(parts) });
    },
  };
}
