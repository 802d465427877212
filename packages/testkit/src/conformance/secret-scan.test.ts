import { Context, HttpHeaders, HttpRequest, redactUrl } from "@switchyard/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { findSecrets, secretForms } from "./secret-scan.ts";

const SECRET = "sy-secret-4f9a2c";
const forms = secretForms({ "the secret": SECRET });

describe("findSecrets", () => {
  it.each([
    ["a plain string", SECRET, "value"],
    ["a nested object", { a: { b: [1, { c: `x${SECRET}y` }] } }, "value.a.b[1].c"],
    ["an error message", new Error(`failed for ${SECRET}`), "value.message"],
    ["an error cause", new Error("outer", { cause: new Error(SECRET) }), "value.cause.message"],
    ["an AggregateError member", new AggregateError([new Error(SECRET)]), "value.errors[0].message"],
    ["a URL", new URL(`https://u:${SECRET}@example.com/`), "value"],
    ["a Map value", new Map([["k", SECRET]]), "value[k]"],
    ["a Set member", new Set([SECRET]), "value[]"],
    [
      "core headers",
      { headers: HttpHeaders.from({ authorization: `Bearer ${SECRET}` }) },
      "value.headers.headers.authorization",
    ],
    ["WHATWG headers", new Headers({ "x-token": SECRET }), "value[x-token]"],
    ["bytes", Buffer.from(`..${SECRET}..`), "value"],
    ["a request's URL", new HttpRequest(`https://example.com/?token=${SECRET}`), "value.url"],
    ["an object key", { [SECRET]: 1 }, "value (key)"],
  ])("finds the secret in %s", (_, value, path) => {
    expect(findSecrets(value, forms).map((f) => f.path)).toContain(path);
  });

  it("finds the percent-encoded and base64 forms", () => {
    const odd = secretForms({ s: "p@ss w/rd" });
    expect(findSecrets("x=p%40ss%20w%2Frd", odd)).toEqual([{ path: "value", form: "s (percent-encoded)" }]);
    expect(findSecrets(Buffer.from("p@ss w/rd").toString("base64"), odd)).toEqual([
      { path: "value", form: "s (base64)" },
    ]);
  });

  it("does not walk a call's Context (it holds per-call credentials by design)", () => {
    const context = new Context();
    expect(findSecrets({ context }, forms)).toEqual([]);
  });

  it("survives cycles and getters that throw", () => {
    const cyclic: Record<string, unknown> = { ok: "fine" };
    cyclic.self = cyclic;
    Object.defineProperty(cyclic, "bad", {
      enumerable: true,
      get() {
        throw new Error("no");
      },
    });
    expect(findSecrets(cyclic, forms)).toEqual([]);
  });

  it("finds a secret planted anywhere in a JSON-like value, and none once core redacted the URL", () => {
    const json = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: "small" },
        fc.string(),
        fc.integer(),
        fc.array(tie("value"), { maxLength: 4 }),
        fc.dictionary(fc.string({ maxLength: 8 }), tie("value"), { maxKeys: 4 }),
      ),
    })).value;
    fc.assert(
      fc.property(json, fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), (value, pre, post) => {
        const planted = { value, leak: { deep: [`${pre}${SECRET}${post}`] } };
        expect(findSecrets(planted, forms).length).toBeGreaterThan(0);
        const url = redactUrl(`https://user:${SECRET}@example.com/p?token=${SECRET}`);
        expect(findSecrets({ value, url }, forms).length).toBe(
          findSecrets(value, forms).length, // only what the random value itself may contain
        );
      }),
      { numRuns: 200 },
    );
  });
});
