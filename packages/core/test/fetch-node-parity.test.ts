// client.fetch against Node's own fetch, case by case, on the points the WPT fetch run found:
// header lines on the wire and in the response, Referer from referrer + referrerPolicy (across
// redirects), integrity, and what an already aborted signal does. Node's fetch is the oracle: each
// case is run through both against the same local servers and the outcomes compared.
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient } from "../src/index.ts";
import { IntegrityError } from "../src/integrity-error.ts";
import { localServer } from "./local-server.ts";

type Server = Awaited<ReturnType<typeof localServer>>;
// The undici inside this Node (its fetch is the oracle): 6 on Node 22, 7+ on Node 24+.
const UNDICI_MAJOR = Number((process.versions as Record<string, string>).undici?.split(".")[0] ?? 0);
let a: Server;
let b: Server;
const client = createClient();
const BODY = "integrity checked body\n";
const sri = (algorithm: string, text = BODY) =>
  `${algorithm}-${createHash(algorithm).update(text).digest("base64")}`;

function handler(req: import("node:http").IncomingMessage, res: import("node:http").ServerResponse): void {
  req.resume();
  const url = new URL(req.url ?? "/", "http://x");
  if (url.pathname === "/redirect") {
    const policy = url.searchParams.get("policy");
    if (policy !== null) res.setHeader("referrer-policy", policy);
    res.writeHead(Number(url.searchParams.get("status") ?? 302), {
      location: url.searchParams.get("to") ?? "/",
    });
    res.end();
    return;
  }
  if (url.pathname === "/dup") {
    res.setHeader("double-trouble", ["", ""]);
    res.setHeader("foo-test", ["1", "2", "3"]);
    res.setHeader("heya", ["", " ", "1", "", "", "2"]);
    res.end();
    return;
  }
  if (url.pathname === "/body") {
    res.end(req.method === "HEAD" ? undefined : BODY);
    return;
  }
  if (url.pathname === "/empty") {
    res.writeHead(204).end();
    return;
  }
  // Everything the request carried, as the raw lines (names as spelled, one entry per line).
  req.on("end", () => res.end(JSON.stringify({ raw: req.rawHeaders, referer: req.headers.referer ?? null })));
}

beforeAll(async () => {
  a = await localServer(handler);
  b = await localServer(handler);
});
afterAll(async () => {
  await client.close();
  await Promise.all([a.close(), b.close()]);
});

type Fetch = typeof globalThis.fetch;
const both: [string, Fetch][] = [
  ["Node's fetch", globalThis.fetch],
  ["client.fetch", client.fetch],
];

async function outcome(fetch: Fetch, input: string | Request, init?: RequestInit): Promise<unknown> {
  try {
    const res = await fetch(input, init);
    const text = await res.text();
    return { status: res.status, body: text.startsWith("{") ? JSON.parse(text) : text };
  } catch (e) {
    const error = e as Error;
    return { rejected: error.constructor.name, name: error.name, message: error.message };
  }
}

// The header lines other than the ones each client adds on its own (connection, host...).
function lines(raw: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    if (/^(val|this-is|x-|referer|cookie)/i.test(name)) out.push(`${name}: ${raw[i + 1]}`);
  }
  return out;
}

describe("header lines as Node's fetch sends and reads them", () => {
  const cases: [string, HeadersInit][] = [
    ["a value that is only LF", { val1: "\n" }],
    ["values with HTTP whitespace at either end", { val1: " \t a \r\n", val2: "x\n", val3: "\rx" }],
    ["a record with mixed-case names", { "X-Mixed-Case": "1", "x-lower": "2" }],
    [
      "the same name twice, different case (THIS-is-A-test first)",
      [
        ["THIS-is-A-test", "1"],
        ["THIS-IS-A-TEST", "2"],
      ],
    ],
    [
      "the same name twice, different case (THIS-IS-A-TEST first)",
      [
        ["THIS-IS-A-TEST", "1"],
        ["THIS-is-A-test", "2"],
      ],
    ],
    [
      "Cookie twice (joined with ;)",
      [
        ["Cookie", "a=1"],
        ["cookie", "b=2"],
      ],
    ],
    ["a value that is a number", { "x-number": 42 as unknown as string }],
  ];
  it.each(cases)("%s: the same lines as Node's fetch", async (_name, headers) => {
    const seen = [];
    for (const [, fetch] of both) {
      const res = await fetch(`${a.url}/echo`, { headers });
      const { raw } = (await res.json()) as { raw: string[] };
      seen.push(lines(raw));
    }
    expect(seen[1]).toEqual(seen[0]);
    expect(seen[1]?.length).toBeGreaterThan(0);
  });

  it("a Headers object: the same lines, its names lower case (a documented difference)", async () => {
    const headers = new Headers([
      ["X-From-Headers", " v "],
      ["x-from-headers", "w"],
    ]);
    const seen = [];
    for (const [, fetch] of both) {
      const res = await fetch(`${a.url}/echo`, { headers });
      const { raw } = (await res.json()) as { raw: string[] };
      seen.push(lines(raw));
    }
    // Node's fetch reads undici's internal list, with the first spelling; a Headers object gives
    // its names out lower case only.
    expect(seen[0]).toEqual(["X-From-Headers: v, w"]);
    expect(seen[1]).toEqual(["x-from-headers: v, w"]);
  });

  it("sends one line per name with values joined by ', ' and the first spelling kept", async () => {
    const res = await client.fetch(`${a.url}/echo`, {
      headers: [
        ["THIS-is-A-test", "1"],
        ["THIS-IS-A-TEST", "2"],
      ],
    });
    const { raw } = (await res.json()) as { raw: string[] };
    expect(lines(raw)).toEqual(["THIS-is-A-test: 1, 2"]);
  });

  it.each([["a NUL"], ["an LF inside"], ["a CR inside"], ["a character beyond a byte"]])(
    "a value with %s is refused with a TypeError, as Node's fetch refuses it",
    async (what) => {
      const value = {
        "a NUL": "a\0b",
        "an LF inside": "a\nb",
        "a CR inside": "a\rb",
        "a character beyond a byte": "€",
      }[what] as string;
      const before = a.seen.length;
      const expected = await outcome(globalThis.fetch, `${a.url}/echo`, { headers: { val: value } });
      const actual = await outcome(client.fetch, `${a.url}/echo`, { headers: { val: value } });
      expect(expected).toMatchObject({ rejected: "TypeError" });
      expect(actual).toMatchObject({ rejected: "TypeError" });
      expect(a.seen.length).toBe(before);
    },
  );

  it("client.request keeps refusing CR and LF in a value (its documented strictness)", async () => {
    await expect(client.request(`${a.url}/echo`, { headers: { val: "\n" } })).rejects.toMatchObject({
      code: "SWITCHYARD_ERR_INVALID_REQUEST",
    });
    // and sends names lower case, as before
    const res = await client.request(`${a.url}/echo`, { headers: { "X-Mixed": "1" } });
    const { raw } = (await res.json()) as { raw: string[] };
    expect(raw).toContain("x-mixed");
  });

  it("joins repeated response header lines with ', ' as Node's fetch does", async () => {
    const got = [];
    for (const [, fetch] of both) {
      const res = await fetch(`${a.url}/dup`);
      await res.arrayBuffer();
      got.push(["double-trouble", "foo-test", "heya"].map((name) => res.headers.get(name)));
    }
    expect(got[1]).toEqual(got[0]);
    expect(got[1]).toEqual([", ", "1, 2, 3", ", , 1, , , 2"]);
  });
});

// The Referer the last hop carried, or how the call failed.
async function referer(fetch: Fetch, input: string | Request, init?: RequestInit): Promise<unknown> {
  const got = (await outcome(fetch, input, init)) as { body?: { referer: string | null } };
  return got.body === undefined ? got : { referer: got.body.referer };
}

describe("Referer from referrer and referrerPolicy, as Node's fetch outside a page", () => {
  const policies: (ReferrerPolicy | undefined)[] = [
    undefined,
    "",
    "no-referrer",
    "no-referrer-when-downgrade",
    "same-origin",
    "origin",
    "strict-origin",
    "origin-when-cross-origin",
    "strict-origin-when-cross-origin",
    "unsafe-url",
  ];
  const referrers = (): string[] => [
    "http://user:secret@example.com:8080/a/b?q=1#frag",
    `${a.url}/page?x=1#fragment`,
    "https://example.com/from/https",
    "about:client",
    "",
  ];
  const targets = (): [string, string][] => [
    ["same origin as the referrer page", `${a.url}/echo`],
    ["another origin", `${b.url}/echo`],
    ["a redirect to another origin", `${a.url}/redirect?to=${encodeURIComponent(`${b.url}/echo`)}`],
    ["a redirect back from another origin", `${b.url}/redirect?to=${encodeURIComponent(`${a.url}/echo`)}`],
    [
      "a redirect whose Referrer-Policy says unsafe-url",
      `${b.url}/redirect?policy=${encodeURIComponent("bogus, unsafe-url")}&to=${encodeURIComponent(`${a.url}/echo`)}`,
    ],
    ["a 307 to another origin", `${a.url}/redirect?status=307&to=${encodeURIComponent(`${b.url}/echo`)}`],
  ];

  it("sends the same Referer as Node's fetch for every policy, referrer and target", async () => {
    let compared = 0;
    let sent = 0;
    const mismatches: string[] = [];
    for (const referrer of referrers()) {
      for (const policy of policies) {
        for (const [where, url] of targets()) {
          const init: RequestInit = { referrer };
          if (policy !== undefined) init.referrerPolicy = policy;
          const expected = await referer(globalThis.fetch, url, init);
          const actual = await referer(client.fetch, url, init);
          if (JSON.stringify(actual) !== JSON.stringify(expected)) {
            mismatches.push(
              `${policy} | ${referrer} | ${where}: Node ${JSON.stringify(expected)}, client.fetch ${JSON.stringify(actual)}`,
            );
          }
          compared++;
          if ((expected as { referer: string | null }).referer !== null) sent++;
        }
      }
    }
    // Node 22's fetch (undici 6) sends the referrer's origin under "no-referrer" and
    // "no-referrer-when-downgrade"; client.fetch follows Node 24+ (undici 7+), as the policies say.
    const quirk = (line: string) => line.startsWith("no-referrer") && UNDICI_MAJOR < 7;
    expect(mismatches.filter((line) => !quirk(line))).toEqual([]);
    expect(compared).toBe(5 * 10 * 6);
    // The table is not all "none": a good share of the cases send a Referer.
    expect(sent).toBeGreaterThan(50);
  });

  it("takes a Request's referrer, and forgets it when init has members, as Node's fetch", async () => {
    const cases: [string, () => [Request, RequestInit?]][] = [
      ["a Request with a referrer", () => [new Request(`${b.url}/echo`, { referrer: `${a.url}/p#f` })]],
      [
        "a Request with a referrer and a policy",
        () => [new Request(`${a.url}/echo`, { referrer: `${a.url}/p`, referrerPolicy: "unsafe-url" })],
      ],
      ["a Request without a referrer", () => [new Request(`${a.url}/echo`)]],
      [
        "a Request whose init has members",
        () => [new Request(`${a.url}/echo`, { referrer: `${a.url}/p` }), { cache: "no-store" }],
      ],
      ["a Request and an init referrer", () => [new Request(`${a.url}/echo`), { referrer: `${b.url}/q` }]],
    ];
    for (const [name, make] of cases) {
      const expected = await referer(globalThis.fetch, ...make());
      const actual = await referer(client.fetch, ...make());
      expect(actual, name).toEqual(expected);
    }
  });

  it("strips credentials and the fragment of an explicit referrer (WPT referrer.any.js)", async () => {
    const res = await client.fetch(`${a.url}/echo`, { referrer: `http://u:p@127.0.0.1:1/x#frag` });
    const { referer } = (await res.json()) as { referer: string };
    expect(referer).toBe("http://127.0.0.1:1/");
  });

  it("keeps a caller's own Referer header and appends the computed one, as Node's fetch", async () => {
    const init = { referrer: `${a.url}/p`, headers: { Referer: "mine" } };
    const expected = await referer(globalThis.fetch, `${a.url}/echo`, init);
    expect(expected).toEqual({ referer: `mine, ${a.url}/p` });
    expect(await referer(client.fetch, `${a.url}/echo`, init)).toEqual(expected);
  });
});

describe("integrity, as Node's fetch checks it", () => {
  const invalid256 = "sha256-dKUcPOn/AlUjWIwcHeHNqYXPlvyGiq+2dWOdFcE+24I=";
  const invalid512 =
    "sha512-oUceBRNxPxnY60g/VtPCj2syT4wo4EZh2CgYdWy9veW8+OsReTXoh7dizMGZafvx9+QhMS39L/gIkxnPIn41Zg==";
  const url512 = () => sri("sha512").replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
  const cases: [string, () => string, string?][] = [
    ["empty", () => ""],
    ["sha256", () => sri("sha256")],
    ["sha384", () => sri("sha384")],
    ["sha512", () => sri("sha512")],
    ["sha512 without padding", () => sri("sha512").replace(/=+$/, "")],
    ["sha512 base64url", url512],
    ["with ?options", () => `${sri("sha256")}?foo=bar`],
    ["an unknown algorithm only", () => "md5-abcdef"],
    ["not SRI at all", () => "hello world"],
    ["invalid", () => invalid256],
    ["valid stronger than invalid", () => `${invalid256} ${sri("sha384")}`],
    ["invalid stronger than valid", () => `${invalid512} ${sri("sha384")}`],
    ["invalid as strong as valid", () => `${invalid512} ${sri("sha512")}`],
    ["both invalid", () => `${invalid256} ${invalid512}`],
    ["a digest of the wrong length", () => "sha256-AAAA"],
    ["HEAD with integrity", () => sri("sha256"), "HEAD"],
    ["204 with integrity", () => sri("sha256"), "204"],
  ];
  it.each(cases)("%s: the same outcome as Node's fetch", async (_name, integrity, special) => {
    const url = special === "204" ? `${a.url}/empty` : `${a.url}/body`;
    const init: RequestInit = { integrity: integrity() };
    if (special === "HEAD") init.method = "HEAD";
    const actual = await outcome(client.fetch, url, init);
    // Node 22's fetch (undici 6) fails a token with ?options; client.fetch reads it as undici 7+.
    if (_name === "with ?options" && UNDICI_MAJOR < 7) {
      expect(actual).toMatchObject({ status: 200 });
      return;
    }
    const expected = await outcome(globalThis.fetch, url, init);
    expect(actual).toEqual(expected);
  });

  it("a mismatch rejects with TypeError('fetch failed') whose cause is an IntegrityError", async () => {
    const error = await client.fetch(`${a.url}/body`, { integrity: invalid256 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as TypeError).message).toBe("fetch failed");
    const cause = (error as TypeError).cause as IntegrityError;
    expect(cause).toBeInstanceOf(IntegrityError);
    expect(cause.code).toBe("SWITCHYARD_ERR_INTEGRITY");
    expect(cause.expected).toBe(invalid256);
    expect(cause.actual).toBe(sri("sha256"));
  });

  it("a match resolves with the whole body, readable as a stream, from a Request's integrity too", async () => {
    const res = await client.fetch(new Request(`${a.url}/body`, { integrity: sri("sha384") }));
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let text = "";
    for (let r = await reader.read(); !r.done; r = await reader.read())
      text += Buffer.from(r.value).toString();
    expect(text).toBe(BODY);
    await expect(client.fetch(new Request(`${a.url}/body`, { integrity: invalid256 }))).rejects.toThrow(
      "fetch failed",
    );
  });
});

describe("a signal aborted after the response arrived (WPT abort/general, Node 22's fetch)", () => {
  it.each([["text"], ["json"], ["arrayBuffer"], ["bytes"], ["blob"], ["formData"]])(
    "response.%s() rejects with the reason before the next microtask, and again on a second call",
    async (method) => {
      const controller = new AbortController();
      const res = await client.fetch(`${a.url}/body`, { signal: controller.signal });
      controller.abort();
      const log: string[] = [];
      const read = (res as unknown as Record<string, () => Promise<unknown>>)[
        method
      ] as () => Promise<unknown>;
      const first = read.call(res);
      await Promise.all([
        first.catch(() => log.push("rejected")),
        Promise.resolve().then(() => log.push("next")),
      ]);
      expect(log).toEqual(["rejected", "next"]);
      await expect(first).rejects.toBe(controller.signal.reason);
      await expect(read.call(res)).rejects.toBe(controller.signal.reason);
      expect(res.bodyUsed).toBe(false);
    },
  );

  it("errors a body stream being read at once with the reason", async () => {
    const controller = new AbortController();
    const res = await client.fetch(`${a.url}/body`, { signal: controller.signal });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const pending = reader.read();
    controller.abort(new Error("stop"));
    // The read is answered with the bytes already there or the reason; the next one is the reason.
    await pending.catch(() => {});
    await expect(reader.read()).rejects.toBe(controller.signal.reason);
  });
});

describe("an already aborted signal, as Node's fetch", () => {
  it("cancels a stream body synchronously with the reason, and rejects with that same reason", async () => {
    for (const [name, fetch] of both) {
      const controller = new AbortController();
      controller.abort();
      let reason: unknown;
      const body = new ReadableStream({
        pull(c) {
          c.enqueue(new Uint8Array([42]));
        },
        cancel(r) {
          reason = r;
        },
      });
      const before = a.seen.length;
      const promise = fetch(`${a.url}/echo`, {
        method: "POST",
        body,
        signal: controller.signal,
        duplex: "half",
      } as RequestInit);
      expect(reason, name).toBe(controller.signal.reason);
      expect((reason as DOMException).name).toBe("AbortError");
      await expect(promise).rejects.toBe(reason);
      expect(a.seen.length).toBe(before);
    }
  });

  it("cancels a Request's body stream too instead of reading it", async () => {
    const controller = new AbortController();
    controller.abort(new Error("stop"));
    let reason: unknown;
    const body = new ReadableStream({
      cancel(r) {
        reason = r;
      },
    });
    const request = new Request(`${a.url}/echo`, {
      method: "POST",
      body,
      signal: controller.signal,
      duplex: "half",
    } as RequestInit);
    await expect(client.fetch(request)).rejects.toBe(controller.signal.reason);
    expect(reason).toBeDefined();
  });

  it("an invalid URL is still a TypeError, not the abort (the Request constructor runs first)", async () => {
    const controller = new AbortController();
    controller.abort();
    for (const [name, fetch] of both) {
      const error = await fetch("http://:not a valid URL", { signal: controller.signal }).catch(
        (e: unknown) => e,
      );
      expect(error, name).toBeInstanceOf(TypeError);
    }
  });
});
