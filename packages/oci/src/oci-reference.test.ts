import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { escapeCondaTag, unescapeCondaTag } from "./conda-tag.ts";
import { OciReferenceError } from "./errors.ts";
import { CONDA_MEDIA_TYPES, describeReference, parseOciUrl, referenceOf } from "./oci-reference.ts";

const D = `sha256:${"a".repeat(64)}`;
const D512 = `sha512:${"b".repeat(128)}`;

describe("escapeCondaTag", () => {
  it.each([
    ["1.0-0", "1.0-0"],
    ["1.0+cpu-py_0", "1.0__p__cpu-py_0"],
    ["1!2.0-0", "1__e__2.0-0"],
    ["2023.1=a-h1", "2023.1__eq__a-h1"],
    ["1!2+3=4-b", "1__e__2__p__3__eq__4-b"],
  ])("%s -> %s", (raw, tag) => {
    expect(escapeCondaTag(raw)).toBe(tag);
    expect(unescapeCondaTag(tag)).toBe(raw);
  });

  it("reads escapes left to right, never across the end of another", () => {
    expect(escapeCondaTag("+e!")).toBe("__p__e__e__");
    expect(unescapeCondaTag("__p__e__e__")).toBe("+e!");
  });

  it("round-trips every string without a `__` of its own", () => {
    const unit = fc.constantFrom("+", "!", "=", "_", "e", "q", "p", "1", ".", "-", "a");
    fc.assert(
      fc.property(fc.array(unit, { maxLength: 40 }), (parts) => {
        const raw = parts.join("");
        fc.pre(!raw.includes("__"));
        const tag = escapeCondaTag(raw);
        expect(tag).not.toMatch(/[+!=]/);
        expect(unescapeCondaTag(tag)).toBe(raw);
      }),
      { numRuns: 3000 },
    );
  });
});

describe("parseOciUrl: generic form", () => {
  it.each([
    ["oci://ghcr.io/org/pkg", "ghcr.io", "org/pkg", undefined, undefined],
    ["oci://ghcr.io/org/pkg:1.0", "ghcr.io", "org/pkg", "1.0", undefined],
    ["oci://127.0.0.1:5000/a/b/c:v1_2-3", "127.0.0.1:5000", "a/b/c", "v1_2-3", undefined],
    [`oci://reg.example/x@${D}`, "reg.example", "x", undefined, D],
    [`oci://reg.example/x:tag@${D}`, "reg.example", "x", "tag", D],
    [`oci://reg.example/x@${D512}`, "reg.example", "x", undefined, D512],
    ["oci://REG.Example:443/lib/a.b__c-d", "reg.example:443", "lib/a.b__c-d", undefined, undefined],
    ["oci://[::1]:5000/repo:t", "[::1]:5000", "repo", "t", undefined],
  ])("%s", (url, registry, repository, tag, digest) => {
    const ref = parseOciUrl(url);
    expect(ref).toMatchObject({ form: "generic", registry, repository, tag, digest });
  });

  it("reads selectors from the query and the fragment", () => {
    const ref = parseOciUrl(
      "oci://r/x:1?title=data.csv&platform=linux/arm64/v8#mediaType=text/csv&annotation.org.opencontainers.image.ref.name=v1",
    );
    expect(ref.layer).toEqual({ title: "data.csv", mediaType: "text/csv" });
    expect(ref.manifest).toEqual({
      platform: { os: "linux", architecture: "arm64", variant: "v8" },
      annotations: { "org.opencontainers.image.ref.name": "v1" },
    });
  });

  it("gives referenceOf the digest, then the tag, then latest", () => {
    expect(referenceOf(parseOciUrl(`oci://r/x:t@${D}`))).toBe(D);
    expect(referenceOf(parseOciUrl("oci://r/x:t"))).toBe("t");
    expect(referenceOf(parseOciUrl("oci://r/x"))).toBe("latest");
    expect(describeReference(parseOciUrl("oci://r:1/x/y"))).toBe("r:1/x/y:latest");
    expect(describeReference(parseOciUrl(`oci://r/x@${D}`))).toBe(`r/x@${D}`);
  });

  it.each([
    ["https://ghcr.io/x", /expected an oci: URL/],
    ["oci:///x", /missing registry host/],
    ["oci://r", /missing repository/],
    ["oci://r/", /missing repository/],
    ["oci://r/a//b", /empty path segment/],
    ["oci://r/Upper", /invalid repository name component "Upper"/],
    ["oci://r/-x", /invalid repository name component/],
    ["oci://r/x:", /invalid tag ""/],
    ["oci://r/x:.bad", /invalid tag/],
    [`oci://r/x:${"t".repeat(129)}`, /invalid tag/],
    ["oci://r/x@sha256:abc", /unsupported digest/],
    [`oci://r/x@md5:${"a".repeat(32)}`, /unsupported digest/],
    ["oci://user:secret@r/x", /credentials do not belong/],
    ["oci://r/x?colour=red", /unknown selector "colour"/],
    ["oci://r/x?title=a#title=b", /given twice/],
    ["oci://r/x?platform=linux", /platform must be os\/arch/],
    ["oci://r/x?title=", /is empty/],
    ["oci://r/%E0%A4%A", /malformed percent-encoding/],
    // The URL parser would remove these dot segments and name another repository.
    ["oci://reg/../../etc/passwd:1", /"\.\." is a dot segment/],
    ["oci://reg/org/%2e%2e/x:1", /"%2e%2e" is a dot segment/],
    ["oci://reg/org/%2E./x:1", /"%2E\." is a dot segment/],
    ["oci://reg/org/./x:1", /"\." is a dot segment/],
    ["oci://reg/org/%2e/x:1", /"%2e" is a dot segment/],
    ["oci://reg/org/..", /is a dot segment/],
    ["oci://reg/org/x/..?title=a", /is a dot segment/],
    ["oci://reg/org%2fx:1", /"org%2fx:1" holds a slash or backslash/],
    ["oci://reg/org%2Fx:1", /holds a slash or backslash/],
    ["oci://reg/org%5cx:1", /holds a slash or backslash/],
    ["oci://reg/org\\x:1", /holds a slash or backslash/],
    ["oci://reg/org//x:1", /empty path segment/],
  ])("refuses %s", (url, message) => {
    const error = (() => {
      try {
        parseOciUrl(url);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(OciReferenceError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain("secret");
  });
});

describe("parseOciUrl: conda mapping", () => {
  it.each([
    [
      "oci://ghcr.io/channel-mirrors/conda-forge/linux-64/xtensor-0.25.0-h2ffa867_0.conda",
      "channel-mirrors/conda-forge/linux-64/xtensor",
      "0.25.0-h2ffa867_0",
      CONDA_MEDIA_TYPES.packageV2,
    ],
    [
      "oci://r/conda-forge/noarch/python-dateutil-2.9.0-pyhd8ed1ab_0.tar.bz2",
      "conda-forge/noarch/python-dateutil",
      "2.9.0-pyhd8ed1ab_0",
      CONDA_MEDIA_TYPES.packageV1,
    ],
    [
      "oci://r/c/linux-64/torch-2.1.0+cu118-py311_0.conda",
      "c/linux-64/torch",
      "2.1.0__p__cu118-py311_0",
      CONDA_MEDIA_TYPES.packageV2,
    ],
    ["oci://r/c/linux-64/pkg-1!2.0-0.conda", "c/linux-64/pkg", "1__e__2.0-0", CONDA_MEDIA_TYPES.packageV2],
    ["oci://r/c/linux-64/pkg-1.0=a-0.conda", "c/linux-64/pkg", "1.0__eq__a-0", CONDA_MEDIA_TYPES.packageV2],
    [
      "oci://r/c/linux-64/pkg-1.0%2Blocal-0.conda",
      "c/linux-64/pkg",
      "1.0__p__local-0",
      CONDA_MEDIA_TYPES.packageV2,
    ],
    [
      "oci://r/c/linux-64/_libgcc_mutex-0.1-conda_forge.tar.bz2",
      "c/linux-64/zzz_libgcc_mutex",
      "0.1-conda_forge",
      CONDA_MEDIA_TYPES.packageV1,
    ],
    ["oci://r/c/linux-64/repodata.json", "c/linux-64/repodata.json", "latest", CONDA_MEDIA_TYPES.repodata],
    ["oci://r/c/noarch/repodata.json.zst", "c/noarch/repodata.json", "latest", CONDA_MEDIA_TYPES.repodataZst],
    ["oci://r/c/noarch/repodata.json.bz2", "c/noarch/repodata.json", "latest", CONDA_MEDIA_TYPES.repodataBz2],
    ["oci://r/c/noarch/repodata.json.gz", "c/noarch/repodata.json", "latest", CONDA_MEDIA_TYPES.repodataGzip],
  ])("%s", (url, repository, tag, mediaType) => {
    const ref = parseOciUrl(url);
    expect(ref).toMatchObject({ form: "conda", repository, tag, digest: undefined });
    expect(ref.layer.mediaType).toBe(mediaType);
  });

  it.each([
    ["oci://r/c/linux-64/nodashes.conda", /name-version-build/],
    ["oci://r/c/linux-64/pkg-1.0.conda", /name-version-build/],
    ["oci://r/c/linux-64/-1.0-0.conda", /name-version-build/],
    ["oci://r/c/linux-64/Pkg-1.0-0.conda", /invalid repository name component "Pkg"/],
    ["oci://r/c/linux-64/pkg-1.0 beta-0.conda", /not a valid OCI tag/],
  ])("refuses %s", (url, message) => {
    expect(() => parseOciUrl(url)).toThrow(message);
  });

  it("lets a URL selector override the conda media type (e.g. the info layer)", () => {
    const ref = parseOciUrl(
      "oci://r/c/linux-64/pkg-1.0-0.conda?mediaType=application/vnd.conda.info.v1.tar%2Bgzip",
    );
    expect(ref.layer.mediaType).toBe("application/vnd.conda.info.v1.tar+gzip");
  });

  it("maps any name-version-build back to its parts through the tag", () => {
    const name = fc.stringMatching(/^[a-z0-9_][a-z0-9]{0,6}(-[a-z0-9]{1,5}){0,2}$/);
    const version = fc.stringMatching(/^[0-9][0-9a-z.+!=]{0,12}$/).filter((v) => !v.includes("__"));
    const build = fc.stringMatching(/^[a-z0-9][a-z0-9_]{0,10}$/).filter((b) => !b.includes("__"));
    fc.assert(
      fc.property(name, version, build, fc.boolean(), (n, v, b, conda) => {
        fc.pre(!n.startsWith("_") || /^_[a-z0-9]/.test(n));
        const file = `${n}-${v}-${b}${conda ? ".conda" : ".tar.bz2"}`;
        const ref = parseOciUrl(`oci://reg:5000/chan/linux-64/${encodeURIComponent(file)}`);
        const expectedName = n.startsWith("_") ? `zzz${n}` : n;
        expect(ref.repository).toBe(`chan/linux-64/${expectedName}`);
        expect(ref.tag).toMatch(/^[A-Za-z0-9_][A-Za-z0-9._-]*$/);
        expect(unescapeCondaTag(ref.tag!)).toBe(`${v}-${b}`);
        expect(ref.layer.mediaType).toBe(conda ? CONDA_MEDIA_TYPES.packageV2 : CONDA_MEDIA_TYPES.packageV1);
      }),
      { numRuns: 1500 },
    );
  });

  it("never throws anything but OciReferenceError", () => {
    fc.assert(
      fc.property(
        fc.webUrl({ withQueryParameters: true, withFragments: true }),
        fc.string({ maxLength: 30 }),
        (web, tail) => {
          const url = `oci${web.slice(web.indexOf(":"))}${tail}`;
          try {
            parseOciUrl(url);
          } catch (error) {
            expect(error).toBeInstanceOf(OciReferenceError);
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});
