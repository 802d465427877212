import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sendJson } from "./send-json.ts";

describe("sendJson", () => {
  const server = createServer((req, res) => {
    if (req.url === "/google")
      sendJson(res, 404, { error: "ü" }, { "content-type": "application/json; charset=UTF-8" });
    else sendJson(res, 200, { ok: true, n: [1, 2] }, { "x-extra": "1" });
  });
  let base = "";
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("sends the body as JSON with its byte length and extra headers", async () => {
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(res.headers.get("x-extra")).toBe("1");
    expect(res.headers.get("content-length")).toBe(String('{"ok":true,"n":[1,2]}'.length));
    expect(await res.json()).toEqual({ ok: true, n: [1, 2] });
  });

  it("lets the caller replace the content type, and counts bytes, not characters", async () => {
    const res = await fetch(`${base}/google`);
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toBe("application/json; charset=UTF-8");
    expect(res.headers.get("content-length")).toBe(String(Buffer.byteLength('{"error":"ü"}')));
    expect(await res.json()).toEqual({ error: "ü" });
  });
});
