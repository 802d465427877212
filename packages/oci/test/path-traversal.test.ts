import { createClient, HttpRequest } from "@switchyard/core";
import type { TestServer } from "@switchyard/testkit/servers";
import { startTestServer } from "@switchyard/testkit/servers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OciReferenceError } from "../src/errors.ts";
import { oci } from "../src/oci.ts";

// Regression: the WHATWG parser removed `..` and `%2e%2e` segments, so these named (and fetched)
// another repository. A real server stands in for the registry and must see nothing at all.
describe("oci refuses path traversal before anything is sent", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it.each([
    "/../../etc/passwd:1",
    "/org/%2e%2e/x:1",
    "/org/.%2E/x:1",
    "/org/./x:1",
    "/org%2fx:1",
    "/org%5Cx:1",
    "/org//x:1",
  ])("oci://registry%s", async (path) => {
    const host = new URL(server.origin).host;
    const client = createClient({ middleware: [oci({ insecureRegistries: [host] })] });
    try {
      const url = `oci://${host}${path}`;
      const fromString = await client.request(url).catch((e: unknown) => e);
      expect(fromString).toBeInstanceOf(OciReferenceError);
      // The same through a request object and through fetch.
      const fromRequest = await client.request(new HttpRequest(url)).catch((e: unknown) => e);
      expect(fromRequest).toBeInstanceOf(OciReferenceError);
      const fromFetch = await client.fetch(url).catch((e: unknown) => e);
      expect((fromFetch as Error).cause ?? fromFetch).toBeInstanceOf(OciReferenceError);
      expect(server.requests).toEqual([]);
      expect(server.connections).toBe(0);
    } finally {
      await client.close();
    }
  });
});
