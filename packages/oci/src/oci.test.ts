import { createClient, InvalidOptionsError } from "@switchyard/core";
import { describe, expect, it } from "vitest";
import { oci } from "./oci.ts";
import type { OciOptions } from "./oci-options.ts";

describe("oci options", () => {
  it.each<[string, unknown]>([
    ["options that are not an object", "nope"],
    ["a credentials store without get()", { credentials: { name: "x" } }],
    ["insecureRegistries with an empty entry", { insecureRegistries: [""] }],
    ["insecureRegistries that is a string", { insecureRegistries: "127.0.0.1" }],
    ["a malformed platform", { platform: "linux" }],
    ["a negative tokenCacheSize", { tokenCacheSize: -1 }],
    ["a fractional maxRedirects", { maxRedirects: 1.5 }],
    ["a zero defaultTokenLifetime", { defaultTokenLifetime: 0 }],
    ["a layer selector that is not an object", { layer: "text/csv" }],
  ])("refuses %s at once", (_name, options) => {
    expect(() => oci(options as OciOptions)).toThrow(InvalidOptionsError);
  });

  it("is a resolve-stage middleware named oci that core orders inside route and outside authorize", () => {
    const m = oci();
    expect(m).toMatchObject({ name: "oci", stage: "resolve" });
    const auth = {
      name: "a",
      stage: "authorize" as const,
      handle: () => Promise.reject(new Error("unused")),
    };
    const route = { name: "r", stage: "route" as const, handle: () => Promise.reject(new Error("unused")) };
    const client = createClient({ middleware: [auth, m, route] });
    expect(client.middleware.map((x) => x.name)).toEqual(["r", "oci", "a"]);
    return client.close();
  });

  it("hands non-oci requests to next untouched, without a wrapper promise", async () => {
    const m = oci();
    const { HttpRequest, HttpResponse, Context } = await import("@switchyard/core");
    const request = new HttpRequest("https://example.test/x");
    const answer = Promise.resolve(new HttpResponse({ status: 204, url: request.url }));
    let given: unknown;
    const result = m.handle(
      request,
      (r) => {
        given = r;
        return answer;
      },
      new Context(),
    );
    expect(result).toBe(answer);
    expect(given).toBe(request);
  });
});
