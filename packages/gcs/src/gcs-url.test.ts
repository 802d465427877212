import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { apiMethod, gcsUrl, objectPath, parseGcsUrl } from "./gcs-url.ts";
import { encodeName, percentDecode } from "./object-name.ts";

describe("parseGcsUrl", () => {
  it.each([
    ["gs://bucket/obj.txt", "bucket", "obj.txt", ""],
    ["gcs://bucket/dir/obj", "bucket", "dir/obj", ""],
    ["gs://bucket", "bucket", "", ""],
    ["gs://bucket/a b+c", "bucket", "a b+c", ""],
    ["gs://bucket/a%20b%2Bc", "bucket", "a b+c", ""],
    ["gs://bucket/caf%C3%A9", "bucket", "café", ""],
    ["gs://my_bucket.example.com/o", "my_bucket.example.com", "o", ""],
    ["gs://bucket/o?generation=123", "bucket", "o", "generation=123"],
  ])("%s -> %s / %j", (url, bucket, object, search) => {
    expect(parseGcsUrl(url)).toEqual({ ok: true, location: { bucket, object, search } });
  });

  it.each([
    ["gs:///o", "no-bucket"],
    ["gs://Upper/o", "bad-bucket"],
    ["gs://ab/o", "bad-bucket"],
    ["gs://u:p@bucket/o", "userinfo"],
    ["gs://bucket:1/o", "port"],
    ["gs://bucket/%C3%28", "bad-encoding"],
  ])("refuses %s (%s)", (url, problem) => {
    expect(parseGcsUrl(url)).toMatchObject({ ok: false, problem });
  });
});

describe("objectPath", () => {
  const loc = { bucket: "b-1", object: "dir/my file+.txt", search: "" };
  it.each([
    ["xml", "GET", loc, "/b-1/dir/my%20file%2B.txt"],
    ["xml", "PUT", loc, "/b-1/dir/my%20file%2B.txt"],
    ["xml", "GET", { ...loc, search: "generation=5" }, "/b-1/dir/my%20file%2B.txt?generation=5"],
    ["json", "GET", loc, "/storage/v1/b/b-1/o/dir%2Fmy%20file%2B.txt?alt=media"],
    [
      "json",
      "GET",
      { ...loc, search: "generation=5" },
      "/storage/v1/b/b-1/o/dir%2Fmy%20file%2B.txt?alt=media&generation=5",
    ],
    ["json", "DELETE", loc, "/storage/v1/b/b-1/o/dir%2Fmy%20file%2B.txt"],
    ["json", "PUT", loc, "/upload/storage/v1/b/b-1/o?uploadType=media&name=dir%2Fmy%20file%2B.txt"],
  ] as const)("%s %s %j -> %s", (api, method, location, path) => {
    expect(objectPath(api, method, location)).toBe(path);
  });

  it("sends JSON uploads as POST", () => {
    expect([apiMethod("json", "PUT"), apiMethod("xml", "PUT"), apiMethod("json", "GET")]).toEqual([
      "POST",
      "PUT",
      "GET",
    ]);
  });
});

const name = fc
  .string({ unit: "grapheme", maxLength: 40 })
  .filter((k) => !k.split("/").some((s) => s === "." || s === ".." || /^(%2e|\.)+$/i.test(s)));

describe("gcs URL properties", () => {
  it("gcsUrl then parseGcsUrl gives back the object name", () => {
    fc.assert(
      fc.property(name, (object) => {
        expect(parseGcsUrl(gcsUrl("bucket-1", object))).toEqual({
          ok: true,
          location: { bucket: "bucket-1", object, search: "" },
        });
      }),
    );
  });

  it("JSON API object segments hold no raw slash and decode to the name", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 40 }), (object) => {
        const encoded = encodeName(object, false);
        expect(encoded).not.toContain("/");
        expect(percentDecode(encoded)).toBe(object);
      }),
    );
  });

  it("never throws on arbitrary input", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (tail) => {
        expect(typeof parseGcsUrl(`gs://${tail}`).ok).toBe("boolean");
      }),
    );
  });
});
