import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { AuthChallenge } from "./www-authenticate.ts";
import { findChallenge, parseWwwAuthenticate } from "./www-authenticate.ts";

const bearer = (params: Record<string, string>): AuthChallenge => ({ scheme: "bearer", params });

describe("parseWwwAuthenticate", () => {
  it.each<[string, string, AuthChallenge[]]>([
    [
      "the CNCF registry's bearer challenge",
      'Bearer realm="http://127.0.0.1:5001/token",service="switchyard-registry",scope="repository:org/pkg:pull"',
      [
        bearer({
          realm: "http://127.0.0.1:5001/token",
          service: "switchyard-registry",
          scope: "repository:org/pkg:pull",
        }),
      ],
    ],
    [
      "a comma inside a quoted scope",
      'Bearer realm="https://a/token",scope="repository:x:pull,push",error="insufficient_scope"',
      [bearer({ realm: "https://a/token", scope: "repository:x:pull,push", error: "insufficient_scope" })],
    ],
    [
      "escaped quotes and backslashes",
      'Basic realm="say \\"hi\\" \\\\ bye"',
      [{ scheme: "basic", params: { realm: 'say "hi" \\ bye' } }],
    ],
    [
      "two challenges in one header (RFC 9110 example)",
      'Newauth realm="apps", type=1, title="Login to \\"apps\\"", Basic realm="simple"',
      [
        { scheme: "newauth", params: { realm: "apps", type: "1", title: 'Login to "apps"' } },
        { scheme: "basic", params: { realm: "simple" } },
      ],
    ],
    [
      "basic then bearer, spaces around = and commas",
      'Basic realm = "r" ,  Bearer realm="https://t/x" , service = reg',
      [{ scheme: "basic", params: { realm: "r" } }, bearer({ realm: "https://t/x", service: "reg" })],
    ],
    ["a scheme alone", "Negotiate", [{ scheme: "negotiate", params: {} }]],
    [
      "two bare schemes",
      "Negotiate, NTLM",
      [
        { scheme: "negotiate", params: {} },
        { scheme: "ntlm", params: {} },
      ],
    ],
    [
      "token68",
      "Negotiate abc+/def==, Basic realm=x",
      [
        { scheme: "negotiate", params: {}, token68: "abc+/def==" },
        { scheme: "basic", params: { realm: "x" } },
      ],
    ],
    [
      "an unquoted URL value",
      "Bearer realm=https://auth.example.com/token,service=registry.example.com",
      [bearer({ realm: "https://auth.example.com/token", service: "registry.example.com" })],
    ],
    ["scheme case is folded, param names too", 'BEARER Realm="R"', [bearer({ realm: "R" })]],
    ["the first of a repeated parameter wins", 'Bearer realm="a", realm="b"', [bearer({ realm: "a" })]],
    [
      "an unterminated quoted string runs to the end",
      'Bearer realm="abc, def',
      [bearer({ realm: "abc, def" })],
    ],
    ["empty", "", []],
    ["only commas and spaces", " , ,, ", []],
    [
      "garbage before a valid challenge is skipped",
      '=== , Basic realm="x"',
      [{ scheme: "basic", params: { realm: "x" } }],
    ],
    ["an empty quoted value", 'Bearer realm="", service="s"', [bearer({ realm: "", service: "s" })]],
  ])("parses %s", (_name, header, expected) => {
    expect(parseWwwAuthenticate(header)).toEqual(expected);
  });

  it("joins several header values", () => {
    const challenges = parseWwwAuthenticate(['Basic realm="a"', 'Bearer realm="b",service="c"']);
    expect(challenges.map((c) => c.scheme)).toEqual(["basic", "bearer"]);
    expect(findChallenge(challenges, "Bearer")?.params.service).toBe("c");
  });

  it("returns nothing for undefined", () => {
    expect(parseWwwAuthenticate(undefined)).toEqual([]);
  });

  it("never throws, whatever the input", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (input) => {
        const result = parseWwwAuthenticate(input);
        expect(Array.isArray(result)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it("never throws on inputs built from the grammar's own characters", () => {
    const unit = fc.constantFrom(
      '"',
      "\\",
      ",",
      "=",
      " ",
      "\t",
      "a",
      "B",
      "realm",
      "Bearer",
      "Basic",
      "/",
      ":",
    );
    fc.assert(
      fc.property(fc.array(unit, { maxLength: 60 }), (parts) => {
        expect(() => parseWwwAuthenticate(parts.join(""))).not.toThrow();
      }),
      { numRuns: 2000 },
    );
  });

  it("reads back any challenges written with quoted, escaped parameter values", () => {
    const token = fc.stringMatching(/^[A-Za-z][A-Za-z0-9._-]{0,11}$/);
    const value = fc.string({ maxLength: 30 });
    const challenge = fc.record({
      scheme: token,
      params: fc.dictionary(token, value, { minKeys: 1, maxKeys: 4 }),
    });
    fc.assert(
      fc.property(fc.array(challenge, { minLength: 1, maxLength: 3 }), (challenges) => {
        const header = challenges
          .map(
            (c) =>
              `${c.scheme} ${Object.entries(c.params)
                .map(([k, v]) => `${k}="${v.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`)
                .join(", ")}`,
          )
          .join(", ");
        const parsed = parseWwwAuthenticate(header);
        expect(parsed.map((c) => c.scheme)).toEqual(challenges.map((c) => c.scheme.toLowerCase()));
        parsed.forEach((p, i) => {
          const expected: Record<string, string> = {};
          for (const [k, v] of Object.entries(challenges[i]!.params)) {
            if (!(k.toLowerCase() in expected)) expected[k.toLowerCase()] = v;
          }
          expect({ ...p.params }).toEqual(expected);
        });
      }),
      { numRuns: 1000 },
    );
  });
});
