import { describe, expect, it } from "vitest";
import { resolveTarget } from "./resolve-endpoint.ts";
import { normaliseOptions, type S3Options } from "./s3-options.ts";
import { parseS3Url } from "./s3-url.ts";

function map(url: string, options: S3Options = {}): string {
  const config = normaliseOptions(options);
  const parsed = parseS3Url(url, config);
  if (!parsed.ok) throw new Error(parsed.detail);
  const { bucket, key } = parsed.location;
  const target = resolveTarget(bucket, key, config.buckets.get(bucket) ?? config.defaults);
  return `${target.style} ${target.origin}${target.path}`;
}

describe("s3 URL mapping", () => {
  it.each<[string, S3Options, string]>([
    ["s3://data/a/b.txt", {}, "virtual https://data.s3.us-east-1.amazonaws.com/a/b.txt"],
    ["s3://data/a/b.txt", { region: "eu-west-1" }, "virtual https://data.s3.eu-west-1.amazonaws.com/a/b.txt"],
    ["s3://data/my key+1.txt", {}, "virtual https://data.s3.us-east-1.amazonaws.com/my%20key%2B1.txt"],
    ["s3://data/café", {}, "virtual https://data.s3.us-east-1.amazonaws.com/caf%C3%A9"],
    ["s3://my.dotted.bucket/k", {}, "path https://s3.us-east-1.amazonaws.com/my.dotted.bucket/k"],
    [
      "s3://Legacy_Bucket/k",
      { bucketNames: "relaxed" },
      "path https://s3.us-east-1.amazonaws.com/Legacy_Bucket/k",
    ],
    ["s3://data/k", { forcePathStyle: true }, "path https://s3.us-east-1.amazonaws.com/data/k"],
    ["s3://data/k", { endpoint: "http://127.0.0.1:9000" }, "path http://127.0.0.1:9000/data/k"],
    ["s3://data/k", { endpoint: "http://localhost:9000" }, "path http://localhost:9000/data/k"],
    ["s3://data/k", { endpoint: "http://[::1]:9000" }, "path http://[::1]:9000/data/k"],
    ["s3://data/k", { endpoint: "https://minio.example.com" }, "path https://minio.example.com/data/k"],
    [
      "s3://data/k",
      { endpoint: "https://acct.r2.cloudflarestorage.com", region: "auto" },
      "path https://acct.r2.cloudflarestorage.com/data/k",
    ],
    [
      "s3://data/k",
      { endpoint: "https://acct.r2.cloudflarestorage.com", forcePathStyle: false },
      "virtual https://data.acct.r2.cloudflarestorage.com/k",
    ],
    ["s3://data/k", { endpoint: "https://gw.example.com/s3/" }, "path https://gw.example.com/s3/data/k"],
    ["s3://data", {}, "virtual https://data.s3.us-east-1.amazonaws.com/"],
    ["s3://data", { forcePathStyle: true }, "path https://s3.us-east-1.amazonaws.com/data/"],
    [
      "s3://logs/k",
      { buckets: { logs: { region: "ap-south-1" } } },
      "virtual https://logs.s3.ap-south-1.amazonaws.com/k",
    ],
    [
      "s3://logs/k",
      { endpoint: "http://127.0.0.1:1", buckets: { logs: { endpoint: "https://other.example" } } },
      "path https://other.example/logs/k",
    ],
    [
      "s3://logs/k",
      { endpoint: "http://127.0.0.1:1", buckets: { logs: { region: "x-1" } } },
      "path http://127.0.0.1:1/logs/k",
    ],
    [
      "s3://logs/k",
      { buckets: { logs: { forcePathStyle: true } } },
      "path https://s3.us-east-1.amazonaws.com/logs/k",
    ],
  ])("%s with %j -> %s", (url, options, expected) => {
    expect(map(url, options)).toBe(expected);
  });
});

describe("s3 options", () => {
  it.each<[S3Options, RegExp]>([
    [{ endpoint: "ftp://x" }, /http: or https:/],
    [{ endpoint: "not a url" }, /must be an http\(s\) URL/],
    [{ endpoint: "https://u:p@x" }, /userinfo/],
    [{ region: "EU West" }, /region/],
    [{ credentials: { accessKeyId: "a" } as never }, /secretAccessKey/],
    [{ credentials: 42 as never }, /must be keys/],
    [{ endpoint: "http://127.0.0.1:9000", forcePathStyle: false }, /virtual-hosted/],
    [{ buckets: { "bad bucket": {} } }, /not a bucket name/],
    [{ store: {} as never }, /CredentialStore/],
    [{ throwOnError: "yes" as never }, /boolean/],
  ])("refuses %j", (options, message) => {
    expect(() => normaliseOptions(options)).toThrow(message);
  });

  it("throws InvalidOptionsError from the factory synchronously", async () => {
    const { s3 } = await import("./s3.ts");
    expect(() => s3({ region: "Bad Region" })).toThrowError(
      expect.objectContaining({ code: "SWITCHYARD_ERR_INVALID_OPTIONS" }),
    );
  });
});
