import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseNetrc } from "./netrc-parser.ts";

describe("parseNetrc", () => {
  it("reads machine entries with login, password and account on one or many lines", () => {
    const doc = parseNetrc(
      "machine a.example.com login alice password pa55 account acct\n" +
        'machine b.example.com\n  login bob\n  password "two words"\n',
    );
    expect(doc.problems).toEqual([]);
    expect(doc.machines).toEqual([
      { machine: "a.example.com", login: "alice", password: "pa55", account: "acct", line: 1 },
      { machine: "b.example.com", login: "bob", password: "two words", account: undefined, line: 2 },
    ]);
  });

  it.each([
    ["a comment line", "# machine evil.example.com login x password y\nmachine ok login u password p\n"],
    ["a trailing comment", "machine ok login u password p # a note\n"],
    ["a comment between tokens", "machine ok\n# note\nlogin u\npassword p\n"],
    ["CRLF line ends", "machine ok\r\nlogin u\r\npassword p\r\n"],
    ["tabs", "machine\tok\tlogin\tu\tpassword\tp"],
  ])("handles %s", (_why, text) => {
    const doc = parseNetrc(text);
    expect(doc.problems).toEqual([]);
    expect(doc.machines).toHaveLength(1);
    expect(doc.machines[0]).toMatchObject({ machine: "ok", login: "u", password: "p", account: undefined });
  });

  it("reads the default entry apart from machines", () => {
    const doc = parseNetrc("machine a login u password p\ndefault login anon password guest\n");
    expect(doc.default).toEqual({
      machine: undefined,
      login: "anon",
      password: "guest",
      account: undefined,
      line: 2,
    });
    expect(doc.machines).toHaveLength(1);
  });

  it("skips a macdef body up to the next empty line, even when it looks like entries", () => {
    const doc = parseNetrc(
      "machine a login u password p\n" +
        "macdef init\n" +
        "machine evil.example.com login x password y\n" +
        "cd /pub\n" +
        "\n" +
        "machine b login v password q\n",
    );
    expect(doc.problems).toEqual([]);
    expect(doc.machines.map((m) => m.machine)).toEqual(["a", "b"]);
    expect(doc.machines[1]!.line).toBe(6);
  });

  it("a macdef at the end of the file without an empty line ends the file", () => {
    const doc = parseNetrc("machine a login u password p\nmacdef x\nline one\nline two");
    expect(doc.problems).toEqual([]);
    expect(doc.machines).toHaveLength(1);
  });

  it("unescapes quoted tokens", () => {
    const doc = parseNetrc('machine a login "us er" password "p\\"w\\\\d"');
    expect(doc.machines[0]).toMatchObject({ login: "us er", password: 'p"w\\d' });
  });

  it("keeps repeated machines in file order (the first wins at lookup)", () => {
    const doc = parseNetrc("machine a login one password 1\nmachine a login two password 2\n");
    expect(doc.machines.map((m) => m.login)).toEqual(["one", "two"]);
  });

  it.each([
    ["an unknown keyword", "machine a login u passwrd p\n", 1, 19, "unexpected token"],
    ["a value missing at the end", "machine a\nlogin u\npassword", 3, 1, "no value"],
    ["a field before any machine", "login u\nmachine a\n", 1, 1, "before any"],
    ["a machine without a name", "machine a login u\nmachine", 2, 1, "no name"],
    ["an unterminated quote", 'machine a password "abc\nmachine b\n', 1, 20, "unterminated"],
    ["a field given twice", "machine a login u login v\n", 1, 19, "twice"],
    ["two default entries", "default login a\ndefault login b\n", 2, 1, "more than one"],
  ])("reports %s with its line and column", (_why, text, line, column, message) => {
    const doc = parseNetrc(text);
    expect(doc.problems[0]).toMatchObject({ line, column });
    expect(doc.problems[0]!.message).toMatch(message);
  });

  it("never quotes the file in a problem (a misspelt keyword may precede a password)", () => {
    const doc = parseNetrc("machine a login u passwrd HUNTER2-secret\n");
    expect(doc.problems.length).toBeGreaterThan(0);
    for (const p of doc.problems) {
      expect(p.message).not.toContain("HUNTER2");
      expect(p.message).not.toContain("passwrd");
    }
  });
});

const word = fc
  .stringMatching(/^[A-Za-z0-9._@:!%+-]{1,10}$/)
  .filter(
    (w) =>
      !["machine", "default", "login", "password", "account", "macdef"].includes(w) && !w.startsWith("#"),
  );
const entry = fc.record({
  machine: word,
  login: fc.option(word, { nil: undefined }),
  password: fc.option(
    fc.string({ maxLength: 12 }).filter((s) => !s.includes("\n")),
    { nil: undefined },
  ),
});
const quote = (s: string) => `"${s.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;

describe("parseNetrc properties", () => {
  it("never throws and reports problems with lines inside the text", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        const doc = parseNetrc(text);
        const lines = text.split("\n").length;
        for (const p of doc.problems) {
          expect(p.line).toBeGreaterThanOrEqual(1);
          expect(p.line).toBeLessThanOrEqual(lines);
          expect(p.column).toBeGreaterThanOrEqual(1);
        }
      }),
    );
  });

  it("never throws on token soup built from netrc keywords", () => {
    const token = fc.oneof(
      fc.constantFrom(
        "machine",
        "default",
        "login",
        "password",
        "account",
        "macdef",
        "#",
        '"',
        "\n",
        "\n\n",
        " ",
      ),
      word,
    );
    fc.assert(
      fc.property(fc.array(token, { maxLength: 40 }), (tokens) => {
        const doc = parseNetrc(tokens.join(" "));
        expect(Array.isArray(doc.machines)).toBe(true);
      }),
    );
  });

  it("reads back what was written, whatever the layout and quoting", () => {
    fc.assert(
      fc.property(
        fc.array(entry, { maxLength: 6 }),
        fc.constantFrom(" ", "\n", "\n  ", "\t"),
        (entries, sep) => {
          const text = entries
            .map((e) =>
              [
                "machine",
                e.machine,
                ...(e.login === undefined ? [] : ["login", e.login]),
                ...(e.password === undefined ? [] : ["password", quote(e.password)]),
              ].join(sep),
            )
            .join("\n");
          const doc = parseNetrc(text);
          expect(doc.problems).toEqual([]);
          expect(
            doc.machines.map((m) => ({ machine: m.machine, login: m.login, password: m.password })),
          ).toEqual(entries);
        },
      ),
    );
  });
});
