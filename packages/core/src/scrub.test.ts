import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { Context, noteSent } from "./context.ts";
import { SwitchyardError } from "./errors.ts";
import { redactSecrets } from "./redact.ts";
import { HttpRequest } from "./request.ts";
import { scrubSecrets } from "./scrub.ts";

const TOKEN = "tok-9f8e7d6c5b4a";

function everything(error: unknown): string {
  return [inspect(error, { depth: 20, showHidden: true }), JSON.stringify(error)].join("\n");
}

describe("Context secrets", () => {
  it("keeps registered secrets and reads those of the requests sent, once needed", () => {
    const context = new Context();
    expect(context.secrets()).toEqual([]);
    context.addSecret(TOKEN).addSecret(undefined).addSecret("");
    const sent = new HttpRequest(
      "https://u:pass-word-1@host.test/t/conda-tok-1/x?X-Amz-Signature=sig-abc-123&a=1",
      {
        headers: {
          authorization: `Basic ${Buffer.from("user:basic-pw-42").toString("base64")}`,
          "x-api-key": "api-key-value-7",
          cookie: "session=cookie-val-99; theme=dark",
          accept: "text/plain",
        },
      },
    );
    noteSent(context, sent);
    const secrets = context.secrets();
    for (const s of [
      TOKEN,
      "pass-word-1",
      "conda-tok-1",
      "sig-abc-123",
      "basic-pw-42",
      "api-key-value-7",
      "cookie-val-99",
    ])
      expect(secrets).toContain(s);
    expect(secrets).not.toContain("text/plain");
    expect(secrets).not.toContain("1");
  });

  it("reads a SigV4 Authorization's signature and key id", () => {
    const context = new Context();
    noteSent(
      context,
      new HttpRequest("https://s3.test/b/k", {
        headers: {
          authorization:
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE1/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=deadbeefcafe0123",
        },
      }),
    );
    expect(context.secrets()).toEqual(expect.arrayContaining(["deadbeefcafe0123", "AKIDEXAMPLE1"]));
  });
});

describe("redactSecrets: the short-secret rule", () => {
  it.each([
    ["a secret-long and secret", ["secret", "secret-long"], "a *** and ***"],
    // Under 4 characters: never searched for.
    ["the abc of it", ["abc"], "the abc of it"],
    // 4 to 7 characters: only as a whole word, so words holding it survive.
    ["pw1234 in xpw1234y and pw1234.", ["pw1234"], "*** in xpw1234y and ***."],
    // 8 and more: anywhere.
    ["xLONGSECRETy", ["LONGSECRET"], "x***y"],
    // Percent-encoded and JSON-escaped forms too.
    ["q=a%2Fb%3Dc-secret", ["a/b=c-secret"], "q=***"],
    ['{"v":"quo\\"te-secret"}', ['quo"te-secret'], '{"v":"***"}'],
  ])("%s", (text, secrets, expected) => {
    expect(redactSecrets(text, secrets)).toBe(expected);
  });
});

describe("scrubSecrets", () => {
  it("costs nothing and changes nothing without secrets", () => {
    const error = new Error(`said ${TOKEN}`);
    expect(scrubSecrets(error, new Context())).toBe(error);
    expect(error.message).toBe(`said ${TOKEN}`);
  });

  it("scrubs an error's message, stack, fields, nested and frozen values and its cause chain, in place", () => {
    const root = new TypeError(`root ${TOKEN}`) as TypeError & { input?: string; data?: string };
    root.data = `raw bytes ${TOKEN}`;
    const middle = new AggregateError([new Error(`inner ${TOKEN}`)], `middle ${TOKEN}`, { cause: root });
    const error = new SwitchyardError("SWITCHYARD_ERR_X", `top ${TOKEN}`, { cause: middle });
    Object.assign(error, {
      details: Object.freeze([Object.freeze({ code: TOKEN, detail: { nested: [`deep ${TOKEN}`] } })]),
      plain: { header: `Bearer ${TOKEN}` },
      count: 3,
    });
    const context = new Context().addSecret(TOKEN);
    error.context = context;
    expect(everything(error)).toContain(TOKEN);
    expect(scrubSecrets(error, context)).toBe(error);
    expect(everything(error)).not.toContain(TOKEN);
    expect(error.message).toBe("top ***");
    expect((error as unknown as { details: unknown }).details).toEqual([
      { code: "***", detail: { nested: ["deep ***"] } },
    ]);
    expect(Object.isFrozen((error as unknown as { details: unknown }).details)).toBe(true);
    expect(root.data).toBe("raw bytes ***");
    expect(error.context).toBe(context);
  });

  it("survives cycles", () => {
    const a = new Error(`a ${TOKEN}`) as Error & { self?: unknown; list?: unknown[] };
    a.self = a;
    a.list = [a, { back: a, text: TOKEN }];
    scrubSecrets(a, [TOKEN]);
    expect(inspect(a, { depth: 20, showHidden: true })).not.toContain(TOKEN);
  });
});
