import { Readable } from "node:stream";
import { HttpRequest, replayable } from "@switchyard/core";
import { describe, expect, it } from "vitest";
import { describePayload } from "./payload.ts";
import { sha256Hex } from "./sha256.ts";

const url = "https://example.com/k";
const hello = sha256Hex("héllo");

describe("describePayload", () => {
  it.each<[string, () => HttpRequest, { hash: string; length: number | undefined }]>([
    ["no body", () => new HttpRequest(url), { hash: sha256Hex(""), length: undefined }],
    ["a string", () => new HttpRequest(url, { method: "PUT", body: "héllo" }), { hash: hello, length: 6 }],
    [
      "bytes",
      () => new HttpRequest(url, { method: "PUT", body: Buffer.from("héllo") }),
      { hash: hello, length: 6 },
    ],
    [
      "an ArrayBuffer",
      () =>
        new HttpRequest(url, {
          method: "PUT",
          body: new TextEncoder().encode("héllo").buffer as ArrayBuffer,
        }),
      { hash: hello, length: 6 },
    ],
    [
      "URLSearchParams",
      () => new HttpRequest(url, { method: "PUT", body: new URLSearchParams({ a: "b c" }) }),
      { hash: sha256Hex("a=b+c"), length: 5 },
    ],
    [
      "a Blob",
      () => new HttpRequest(url, { method: "PUT", body: new Blob(["héllo"]) }),
      { hash: "UNSIGNED-PAYLOAD", length: 6 },
    ],
    [
      "replayable with length",
      () =>
        new HttpRequest(url, { method: "PUT", body: replayable(() => Readable.from([]), { length: 42 }) }),
      { hash: "UNSIGNED-PAYLOAD", length: 42 },
    ],
    [
      "a stream",
      () => new HttpRequest(url, { method: "PUT", body: Readable.from([]) }),
      { hash: "UNSIGNED-PAYLOAD", length: undefined },
    ],
    [
      "a stream with Content-Length",
      () =>
        new HttpRequest(url, { method: "PUT", body: Readable.from([]), headers: { "content-length": "7" } }),
      { hash: "UNSIGNED-PAYLOAD", length: 7 },
    ],
  ])("%s", (_, make, expected) => {
    expect(describePayload(make())).toEqual(expected);
  });
});
