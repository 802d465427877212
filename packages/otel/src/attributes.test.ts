import { describe, expect, it } from "vitest";
import { redactedUrlOf, requestAttributes } from "./attributes.ts";

describe("span attributes", () => {
  it("give the same attributes for a URL asked for again, as a new object each time", () => {
    const first = requestAttributes("GET", "https://[::1]:8443/a");
    const again = requestAttributes("PUT", "https://[::1]:8443/a");
    expect(first).toEqual({
      "http.request.method": "GET",
      "url.full": "https://[::1]:8443/a",
      "url.scheme": "https",
      "server.address": "::1",
      "server.port": 8443,
    });
    expect(again).toEqual({ ...first, "http.request.method": "PUT" });
    expect(again).not.toBe(first);
    expect(requestAttributes("GET", "http://example.test/")["server.port"]).toBe(80);
  });

  it("redact every time a URL that carries secrets, and remember only those that carry none", () => {
    for (let i = 0; i < 2; i++) {
      expect(redactedUrlOf("https://user:hunter22@example.test/x?access_token=abc123&n=1")).toBe(
        "https://***@example.test/x?access_token=***&n=1",
      );
      expect(redactedUrlOf("https://conda.example/t/tk-secret-1/noarch/repodata.json")).toBe(
        "https://conda.example/t/***/noarch/repodata.json",
      );
      expect(redactedUrlOf("https://example.test/plain")).toBe("https://example.test/plain");
    }
  });
});
