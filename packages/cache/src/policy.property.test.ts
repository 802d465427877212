import { Readable } from "node:stream";
import type { Next } from "@switchyard/core";
import { Context, cacheStatusKey, HttpRequest, HttpResponse } from "@switchyard/core";
import fc from "fast-check";
import CachePolicy from "http-cache-semantics";
import { describe, expect, it } from "vitest";
import { cache } from "./cache.ts";
import { varyMatches, varySelection } from "./entry-meta.ts";
import { memoryStore } from "./memory-store.ts";
import { staleIfErrorSeconds } from "./policy.ts";

const T0 = Date.UTC(2026, 0, 10, 12, 0, 0);
const date = (offsetSeconds: number) => new Date(T0 + offsetSeconds * 1000).toUTCString();

// Response headers as servers send them: Cache-Control directives in any mix, Expires, Date, Age, Last-Modified.
const directive = fc.oneof(
  fc.nat({ max: 7200 }).map((n) => `max-age=${n}`),
  fc.nat({ max: 7200 }).map((n) => `s-maxage=${n}`),
  fc.nat({ max: 600 }).map((n) => `stale-while-revalidate=${n}`),
  fc.nat({ max: 600 }).map((n) => `stale-if-error=${n}`),
  fc.constantFrom(
    "no-cache",
    "no-store",
    "private",
    "public",
    "must-revalidate",
    "immutable",
    "proxy-revalidate",
  ),
);
const responseHeaders = fc.record(
  {
    "cache-control": fc.array(directive, { minLength: 1, maxLength: 4 }).map((d) => d.join(", ")),
    expires: fc.integer({ min: -3600, max: 7200 }).map(date),
    date: fc.integer({ min: -30, max: 30 }).map(date),
    age: fc.nat({ max: 600 }).map(String),
    "last-modified": fc.integer({ min: -86_400 * 30, max: 0 }).map(date),
    etag: fc.constant('"e1"'),
  },
  { requiredKeys: [] },
);
const status = fc.constantFrom(200, 203, 300, 301, 404, 410, 500);

function oracle(now: () => number) {
  return class extends CachePolicy {
    now(): number {
      return now();
    }
  };
}

describe("cache freshness (properties, http-cache-semantics as the oracle)", () => {
  it("answers from the store exactly when the library says a stored response may be used", async () => {
    await fc.assert(
      fc.asyncProperty(
        responseHeaders,
        status,
        fc.boolean(),
        fc.nat({ max: 10_000 }),
        async (headers, code, shared, elapsed) => {
          let t = T0;
          const now = () => t;
          const cached = cache({ store: memoryStore(), shared, now });
          let sent = 0;
          const next: Next = async (request) => {
            sent++;
            const conditional = request.headers.has("if-none-match");
            return new HttpResponse({
              status: conditional ? 304 : code,
              headers: conditional ? { etag: '"e1"' } : headers,
              body: Readable.from([Buffer.from("body")]),
              url: request.url,
              request,
            });
          };
          const url = "http://127.0.0.1:9/resource";
          const first = await cached.handle(new HttpRequest(url), next, new Context());
          await first.text();
          await cached.idle();
          const Policy = oracle(now);
          const req = { url, method: "GET", headers: { host: "h" } };
          const policy = new Policy(req, { status: code, headers }, { shared });
          t += elapsed * 1000;
          const context = new Context();
          const second = await cached.handle(new HttpRequest(url), next, context);
          await second.text();
          await cached.idle();
          const got = context.get(cacheStatusKey);
          if (!policy.storable()) {
            expect(got).toBe("miss");
            return;
          }
          const evaluated = policy.evaluateRequest(req);
          if (evaluated.response !== undefined && evaluated.revalidation === undefined)
            expect(got).toBe("hit");
          else if (evaluated.response !== undefined && !evaluated.revalidation.synchronous)
            expect(got).toBe("stale");
          else expect(["revalidated", "miss"]).toContain(got);
          expect(sent).toBe(got === "hit" ? 1 : 2);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("selects variants as the library does for Vary", () => {
    const names = fc.constantFrom("accept", "accept-encoding", "x-a", "authorization");
    const values = fc.dictionary(names, fc.constantFrom("1", "2", "text/a"), { maxKeys: 4 });
    fc.assert(
      fc.property(fc.array(names, { maxLength: 3 }), fc.boolean(), values, values, (vary, star, h1, h2) => {
        const header = [...vary, ...(star ? ["*"] : [])].join(", ");
        const res = {
          status: 200,
          headers: { "cache-control": "max-age=600", ...(header ? { vary: header } : {}) },
        };
        // Private: a shared cache also refuses any request with Authorization, a rule apart from Vary.
        const policy = new CachePolicy({ url: "/", method: "GET", headers: { host: "h", ...h1 } }, res, {
          shared: false,
        });
        const libraryMatches = policy.satisfiesWithoutRevalidation({
          url: "/",
          method: "GET",
          headers: { host: "h", ...h2 },
        });
        const ours = varyMatches(varySelection(header || undefined, h1), h2);
        expect(ours).toBe(libraryMatches);
      }),
      { numRuns: 500 },
    );
  });

  it("allows stale-if-error within the same bound as the library", () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 600 }),
        fc.nat({ max: 600 }),
        fc.nat({ max: 1200 }),
        fc.boolean(),
        (maxAge, sie, elapsed, shared) => {
          let t = T0;
          const Policy = oracle(() => t);
          const cc = `max-age=${maxAge}, stale-if-error=${sie}`;
          const policy = new Policy(
            { url: "/", method: "GET", headers: { host: "h" } },
            { status: 200, headers: { "cache-control": cc } },
            { shared },
          );
          t += elapsed * 1000;
          const library = !policy.revalidatedPolicy(
            { url: "/", method: "GET", headers: { host: "h" } },
            { status: 500, headers: {} },
          ).modified;
          const ours = policy.maxAge() + staleIfErrorSeconds(cc, shared) > policy.age();
          expect(ours).toBe(library);
        },
      ),
      { numRuns: 500 },
    );
  });

  it.each([
    ["max-age=1, must-revalidate, stale-if-error=60", 0],
    ["no-cache, stale-if-error=60", 0],
    ["proxy-revalidate, stale-if-error=60", 60],
    ['stale-if-error="30"', 30],
    [undefined, 0],
  ])("reads %s as %d seconds of stale-if-error in a private cache", (cc, seconds) => {
    expect(staleIfErrorSeconds(cc, false)).toBe(seconds);
  });
});
