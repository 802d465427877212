import { describe, expect, it } from "vitest";
import { collectUrlSecrets } from "./request-secrets.ts";

function secrets(url: string): string[] {
  const out = new Set<string>();
  collectUrlSecrets(url, out);
  return [...out].sort();
}

describe("collectUrlSecrets", () => {
  it("finds nothing in a URL without userinfo, query or token segment", () => {
    expect(secrets("https://host.test/a/b")).toEqual([]);
    expect(secrets("not a url")).toEqual([]);
  });

  it("finds userinfo, secret query values and the conda token, also behind `\\` and tabs", () => {
    expect(secrets("https://u:p%40ss@host.test/")).toEqual(
      ["p%40ss", "p@ss", "u", "u:p@ss", Buffer.from("u:p@ss").toString("base64")].sort(),
    );
    expect(secrets("https://host.test/x?token=abc&a=1")).toEqual(["abc"]);
    expect(secrets("https://conda.test\\t\\tk-1\\x")).toEqual(["tk-1"]);
    expect(secrets("https://conda.test/\tt/tk-2/x")).toEqual(["tk-2"]);
  });
});
