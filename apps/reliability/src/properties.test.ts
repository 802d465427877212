// Property tests for the parsers and matchers that their packages do not already property-test.
// Already covered there (not repeated here): parseRetryAfter (any string, delay-seconds, IMF-fixdate
// round trip), parseRateLimitReset, parseWwwAuthenticate (never throws, round trip), parseNetrc
// (never throws, round trip), parseCredentialsJson (never throws, round trip of every kind),
// parseOciUrl (never throws, conda mapping), escape/unescapeCondaTag (round trip), parseS3Url and
// s3Url, parseGcsUrl and gcsUrl, createMatcher / parseKey (host wildcards, ports, paths),
// longestPrefix / restBelow, redactUrl (never throws, no password), DeadlineStore, backoff,
// parseContentRange, planCredential / insertCondaToken, the digest verifier, parseManifest,
// parsePlatform / formatPlatform (oci's src/*.property.test.ts), parseS3ErrorXml (s3's).
import {
  Context,
  HttpHeaders,
  HttpRequest,
  HttpResponse,
  InvalidRequestError,
  RedirectError,
  redactHeaders,
  redactUrl,
  redirectRequest,
} from "@switchyard/core";
import { parseHttpDate } from "@switchyard/retry-after";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

const RUNS = { numRuns: 500 };

const tokenChar = fc.constantFrom(
  ..."!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
);
const headerName = fc.string({ unit: tokenChar, minLength: 1, maxLength: 20 });
const headerValue = fc.string({ maxLength: 40 }).filter((v) => !/[\r\n\0]/.test(v));

describe("HttpHeaders (core)", () => {
  it("never throws anything but InvalidRequestError on arbitrary names and values", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ maxLength: 12 }), fc.string({ maxLength: 20 })), (record) => {
        try {
          HttpHeaders.from(record);
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidRequestError);
        }
      }),
      RUNS,
    );
  });

  it("reads back what was set, case-insensitively, value trimmed", () => {
    fc.assert(
      fc.property(headerName, headerValue, fc.boolean(), (name, value, upper) => {
        const headers = HttpHeaders.EMPTY.set(upper ? name.toUpperCase() : name, value);
        expect(headers.get(name.toLowerCase())).toBe(value.trim());
        expect(headers.get(name.toUpperCase())).toBe(value.trim());
        expect(headers.has(name)).toBe(true);
        expect(headers.delete(name).has(name)).toBe(false);
      }),
      RUNS,
    );
  });

  it("refuses a value with CR, LF or NUL wherever it sits (no header injection)", () => {
    fc.assert(
      fc.property(
        headerName,
        headerValue,
        fc.constantFrom("\r", "\n", "\0", "\r\n"),
        headerValue,
        (n, a, bad, b) => {
          expect(() => HttpHeaders.EMPTY.set(n, `${a}${bad}${b}`)).toThrow(InvalidRequestError);
          expect(() => HttpHeaders.from([[n, `${a}${bad}${b}`]])).toThrow(InvalidRequestError);
        },
      ),
      RUNS,
    );
  });

  it("derivation never changes the headers it started from", () => {
    fc.assert(
      fc.property(
        fc.dictionary(headerName, headerValue, { maxKeys: 6 }),
        headerName,
        headerValue,
        (init, n, v) => {
          const base = HttpHeaders.from(init);
          const snapshot = [...base];
          base.set(n, v);
          base.merge({ [n]: undefined });
          base.delete(n);
          expect([...base]).toEqual(snapshot);
        },
      ),
      RUNS,
    );
  });
});

describe("redactUrl / redactHeaders (core)", () => {
  const secret = fc.stringMatching(/^[A-Za-z0-9]{12,24}$/);
  const host = fc.constantFrom("example.com", "127.0.0.1:8080", "repo.prefix.dev", "[::1]:5000");
  const path = fc
    .array(fc.stringMatching(/^[a-z0-9._-]{1,8}$/), { maxLength: 4 })
    .map((p) => `/${p.join("/")}`);
  const secretParam = fc.constantFrom(
    "token",
    "X-Amz-Signature",
    "access_token",
    "api_key",
    "sig",
    "password",
  );

  it("removes a secret from userinfo, a secret query parameter and the conda /t/ segment", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("http", "https", "oci", "s3"),
        host,
        path,
        secret,
        secretParam,
        fc.constantFrom("userinfo", "query", "conda"),
        (scheme, h, p, s, param, where) => {
          const url =
            where === "userinfo"
              ? `${scheme}://user:${s}@${h}${p}`
              : where === "query"
                ? `${scheme}://${h}${p}?a=1&${param}=${s}`
                : `${scheme}://${h}/t/${s}${p}`;
          const once = redactUrl(url);
          expect(once).not.toContain(s);
          // Idempotent: redacting a redacted URL changes nothing.
          expect(redactUrl(once)).toBe(once);
        },
      ),
      RUNS,
    );
  });

  it("keeps the auth scheme but never the credentials of an Authorization value", () => {
    fc.assert(
      fc.property(fc.constantFrom("Bearer", "Basic", "token", "AWS4-HMAC-SHA256"), secret, (scheme, s) => {
        const out = redactHeaders({ authorization: `${scheme} ${s}`, "x-api-key": s, cookie: `a=${s}` });
        expect(JSON.stringify(out)).not.toContain(s);
        expect(out.authorization?.startsWith(scheme)).toBe(true);
      }),
      RUNS,
    );
  });
});

describe("redirectRequest (core)", () => {
  const origins = ["http://a.example", "https://a.example", "http://a.example:8080", "http://b.example"];
  const location = fc.oneof(
    fc.constantFrom(...origins).chain((o) => fc.webPath().map((p) => `${o}${p}`)),
    fc.webPath(),
    fc.string({ maxLength: 30 }),
    fc.constantFrom(
      "ftp://x/y",
      "javascript:alert(1)",
      "//b.example/x",
      "http://u:p@b.example/",
      "http://[bad",
    ),
  );

  it("never throws anything but RedirectError; drops credentials on any hop off the caller's origin", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...origins),
        location,
        fc.constantFrom(301, 302, 303, 307, 308),
        fc.constantFrom("GET", "HEAD", "POST", "PUT", "DELETE"),
        (origin, loc, status, method) => {
          const request = new HttpRequest(`${origin}/start`, {
            method,
            headers: { authorization: "Bearer caller-secret", cookie: "c=1", "x-keep": "1" },
            ...(method === "POST" || method === "PUT" ? { body: "payload" } : {}),
          });
          const response = new HttpResponse({
            status,
            headers: { location: loc },
            url: request.url,
            request,
            context: new Context(),
          });
          let next: HttpRequest;
          try {
            next = redirectRequest(request, response);
          } catch (error) {
            expect(error).toBeInstanceOf(RedirectError);
            return;
          }
          const target = new URL(next.url);
          expect(["http:", "https:"]).toContain(target.protocol);
          if (target.origin !== new URL(origin).origin) {
            expect(next.headers.has("authorization")).toBe(false);
            expect(next.headers.has("cookie")).toBe(false);
            // A Location with userinfo to another origin is refused, never followed.
            expect(target.username + target.password).toBe("");
          } else {
            expect(next.headers.get("authorization")).toBe("Bearer caller-secret");
          }
          expect(next.headers.get("x-keep")).toBe("1");
          // fetch's method rules.
          const toGet =
            (status === 303 && method !== "GET" && method !== "HEAD") || (status <= 302 && method === "POST");
          expect(next.method).toBe(toGet ? "GET" : method);
          if (toGet) expect(next.body).toBeUndefined();
        },
      ),
      { numRuns: 1500 },
    );
  });
});

describe("parseHttpDate (retry-after): the two obsolete forms", () => {
  const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
  const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  const pad = (n: number) => String(n).padStart(2, "0");
  // Whole seconds between 1970 and 2099.
  const instant = fc.integer({ min: 0, max: Date.UTC(2099, 11, 31) / 1000 }).map((s) => s * 1000);

  it("reads back any asctime date", () => {
    fc.assert(
      fc.property(instant, (ms) => {
        const d = new Date(ms);
        const text = `${DAYS[d.getUTCDay()]!.slice(0, 3)} ${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, " ")} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${d.getUTCFullYear()}`;
        expect(parseHttpDate(text, Date.now())).toBe(ms);
      }),
      RUNS,
    );
  });

  it("reads back any RFC 850 date within 50 years of now (two-digit year, RFC 9110 §5.6.7)", () => {
    const now = Date.UTC(2026, 0, 1);
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(1977, 0, 2) / 1000, max: Date.UTC(2075, 11, 31) / 1000 }),
        (s) => {
          const d = new Date(s * 1000);
          const text = `${DAYS[d.getUTCDay()]}, ${pad(d.getUTCDate())}-${MONTHS[d.getUTCMonth()]}-${pad(d.getUTCFullYear() % 100)} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} GMT`;
          expect(parseHttpDate(text, now)).toBe(s * 1000);
        },
      ),
      RUNS,
    );
  });

  it("never throws and gives a finite instant or undefined, whatever the text", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), fc.integer({ min: 0, max: 4e12 }), (text, now) => {
        const out = parseHttpDate(text, now);
        expect(out === undefined || Number.isFinite(out)).toBe(true);
      }),
      RUNS,
    );
  });
});
