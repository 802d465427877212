import diagnosticsChannel from "node:diagnostics_channel";
import type { Credential, CredentialStore, Middleware } from "@switchyard/core";

/** A CredentialStore over a fixed map of URL prefixes, recording lookups and invalidations. */
export function memoryStore(entries: Record<string, Credential>): CredentialStore & {
  readonly lookups: string[];
  readonly invalidated: { url: string; credential: Credential }[];
} {
  const lookups: string[] = [];
  const invalidated: { url: string; credential: Credential }[] = [];
  return {
    name: "test-memory",
    lookups,
    invalidated,
    async get(url) {
      lookups.push(url);
      const match = Object.keys(entries)
        .filter((prefix) => url.startsWith(prefix))
        .sort((a, b) => b.length - a.length)[0];
      return match === undefined ? undefined : entries[match];
    },
    async invalidate(url, credential) {
      invalidated.push({ url, credential });
    },
  };
}

/** What the inner chain saw of one request. */
export interface InnerRequest {
  readonly method: string;
  readonly url: string;
  readonly authorization: string | undefined;
  readonly status: number;
}

/**
 * A `send`-stage middleware that records every request reaching the inner chain (what an
 * authorize or send plugin such as retry-after would see) and the status it got.
 */
export function innerRecorder(): Middleware & { readonly seen: InnerRequest[] } {
  const seen: InnerRequest[] = [];
  return {
    name: "test-recorder",
    stage: "send",
    seen,
    async handle(request, next) {
      const res = await next(request);
      seen.push({
        method: request.method,
        url: request.url,
        authorization: request.headers.get("authorization"),
        status: res.status,
      });
      return res;
    },
  };
}

/** Collects the messages published on a diagnostics channel until `stop()`. */
export function listen(name: string): { readonly messages: Record<string, unknown>[]; stop(): void } {
  const messages: Record<string, unknown>[] = [];
  const onMessage = (message: unknown): void => {
    messages.push(message as Record<string, unknown>);
  };
  diagnosticsChannel.subscribe(name, onMessage);
  return {
    messages,
    stop: () => diagnosticsChannel.unsubscribe(name, onMessage),
  };
}

/** Deterministic pseudo-random bytes, generated chunk by chunk (never the whole at once). */
export function* patternChunks(total: number, chunkSize = 64 * 1024, seed = 7): Generator<Buffer> {
  let state = seed;
  for (let sent = 0; sent < total; sent += chunkSize) {
    const size = Math.min(chunkSize, total - sent);
    const chunk = Buffer.allocUnsafe(size);
    for (let i = 0; i < size; i += 4) {
      // xorshift32
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      if (i + 4 <= size) chunk.writeUInt32LE(state >>> 0, i);
      else chunk.fill(state & 0xff, i);
    }
    yield chunk;
  }
}
