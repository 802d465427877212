import { createHash } from "node:crypto";
import { createClient } from "@switchyard/core";
import type { RegistryPeer } from "@switchyard/test-peers";
import { pushArtifact, requirePeer, startRegistry } from "@switchyard/test-peers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { escapeCondaTag } from "../src/conda-tag.ts";
import { DigestMismatchError } from "../src/errors.ts";
import { TITLE_ANNOTATION } from "../src/manifest.ts";
import { oci } from "../src/oci.ts";
import { CONDA_MEDIA_TYPES } from "../src/oci-reference.ts";
import { innerRecorder } from "./helpers.ts";

const registry = requirePeer("registry");
const PUSHER = { username: "ci", password: "ci-push-secret" };

// Conda packages laid out the way rattler and the channel-mirrors registry expect them:
// repository <channel>/<subdir>/<name>, tag <version>-<build> escaped, the package layer by media
// type, next to the info layers.
const PACKAGES = [
  {
    channel: "conda-forge",
    subdir: "linux-64",
    name: "torch",
    version: "2.1.0+cu118",
    build: "py311_0",
    ext: ".conda",
  },
  {
    channel: "conda-forge",
    subdir: "linux-64",
    name: "epoch-pkg",
    version: "1!2.0",
    build: "h0_0",
    ext: ".tar.bz2",
  },
  { channel: "conda-forge", subdir: "noarch", name: "pinned", version: "1.0", build: "a=b_0", ext: ".conda" },
  {
    channel: "conda-forge",
    subdir: "linux-64",
    name: "_libgcc_mutex",
    version: "0.1",
    build: "conda_forge",
    ext: ".tar.bz2",
  },
  {
    channel: "my/nested/channel",
    subdir: "osx-arm64",
    name: "py-rattler",
    version: "0.1.1",
    build: "h6e9494a_0",
    ext: ".conda",
  },
];

const fileOf = (p: (typeof PACKAGES)[number]) => `${p.name}-${p.version}-${p.build}${p.ext}`;
const bytesOf = (p: (typeof PACKAGES)[number]) => Buffer.from(`package bytes of ${fileOf(p)}\n`.repeat(64));
const sha = (data: Buffer) => createHash("sha256").update(data).digest("hex");

describe.skipIf(registry.skip)(
  `oci conda mapping against the CNCF registry, token auth ${registry.reason}`,
  () => {
    let peer: RegistryPeer;
    const repodata = {
      plain: Buffer.from(
        JSON.stringify({ info: { subdir: "linux-64" }, packages: {}, "packages.conda": {} }),
      ),
      zst: Buffer.from("pretend zstd repodata"),
      bz2: Buffer.from("pretend bzip2 repodata"),
    };

    beforeAll(async () => {
      peer = await startRegistry({
        auth: { kind: "token", users: { [PUSHER.username]: PUSHER.password }, anonymous: true },
      });
      for (const p of PACKAGES) {
        const repoName = p.name.startsWith("_") ? `zzz${p.name}` : p.name;
        await pushArtifact(
          peer.url,
          `${p.channel}/${p.subdir}/${repoName}`,
          escapeCondaTag(`${p.version}-${p.build}`),
          {
            auth: PUSHER,
            layers: [
              {
                mediaType: p.ext === ".conda" ? CONDA_MEDIA_TYPES.packageV2 : CONDA_MEDIA_TYPES.packageV1,
                data: bytesOf(p),
                annotations: { [TITLE_ANNOTATION]: fileOf(p) },
              },
              { mediaType: "application/vnd.conda.info.v1.tar+gzip", data: `info of ${fileOf(p)}` },
              {
                mediaType: "application/vnd.conda.info.index.v1+json",
                data: JSON.stringify({ name: p.name, version: p.version }),
              },
            ],
          },
        );
      }
      await pushArtifact(peer.url, "conda-forge/linux-64/repodata.json", "latest", {
        auth: PUSHER,
        layers: [
          { mediaType: CONDA_MEDIA_TYPES.repodata, data: repodata.plain },
          { mediaType: CONDA_MEDIA_TYPES.repodataZst, data: repodata.zst },
          { mediaType: CONDA_MEDIA_TYPES.repodataBz2, data: repodata.bz2 },
        ],
      });
    });
    afterAll(async () => {
      await peer?.stop();
    });

    function client() {
      const recorder = innerRecorder();
      const c = createClient({ middleware: [recorder, oci({ insecureRegistries: [peer.host] })] });
      return { client: c, seen: recorder.seen };
    }

    it.each(PACKAGES.map((p) => [fileOf(p), p] as const))(
      "pulls %s through the conda mapping",
      async (_file, p) => {
        const { client: c, seen } = client();
        try {
          const url = `oci://${peer.host}/${p.channel}/${p.subdir}/${encodeURIComponent(fileOf(p))}`;
          const res = await c.request(url);
          expect(Buffer.from(await res.bytes())).toEqual(bytesOf(p));
          const repoName = p.name.startsWith("_") ? `zzz${p.name}` : p.name;
          const tag = escapeCondaTag(`${p.version}-${p.build}`);
          expect(tag).not.toMatch(/[+!=]/);
          expect(
            seen.some((s) => s.url.endsWith(`/v2/${p.channel}/${p.subdir}/${repoName}/manifests/${tag}`)),
          ).toBe(true);
        } finally {
          await c.close();
        }
      },
    );

    it.each([
      ["repodata.json", "plain"],
      ["repodata.json.zst", "zst"],
      ["repodata.json.bz2", "bz2"],
    ] as const)("pulls %s from the repodata.json repository by media type", async (file, variant) => {
      const { client: c } = client();
      try {
        const res = await c.request(`oci://${peer.host}/conda-forge/linux-64/${file}`);
        expect(Buffer.from(await res.bytes())).toEqual(repodata[variant]);
      } finally {
        await c.close();
      }
    });

    it("answers HEAD for repodata.json (what rattler asks first)", async () => {
      const { client: c } = client();
      try {
        const res = await c.request(`oci://${peer.host}/conda-forge/linux-64/repodata.json`, {
          method: "HEAD",
        });
        expect(res.status).toBe(200);
        expect(res.headers.get("content-length")).toBe(String(repodata.plain.length));
      } finally {
        await c.close();
      }
    });

    it("goes straight to the blob with X-Expected-Sha256, and one token for the package's repository", async () => {
      const p = PACKAGES[0]!;
      const { client: c, seen } = client();
      try {
        peer.tokenServer!.reset();
        const res = await c.request(`oci://${peer.host}/${p.channel}/${p.subdir}/${fileOf(p)}`, {
          headers: { "x-expected-sha256": sha(bytesOf(p)) },
        });
        expect(Buffer.from(await res.bytes())).toEqual(bytesOf(p));
        expect(seen.some((s) => s.url.includes("/manifests/"))).toBe(false);
        expect(peer.tokenServer!.requests.map((r) => r.scopes)).toEqual([
          [`repository:${p.channel}/${p.subdir}/${p.name}:pull`],
        ]);
      } finally {
        await c.close();
      }
    });

    it("refuses a package whose layer is not the X-Expected-Sha256 asked for", async () => {
      const p = PACKAGES[1]!;
      const { client: c } = client();
      try {
        const wrong = sha(Buffer.from("some other build"));
        const error = await c
          .request(`oci://${peer.host}/${p.channel}/${p.subdir}/${fileOf(p)}`, {
            headers: { "x-expected-sha256": wrong },
          })
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(DigestMismatchError);
        expect(error).toMatchObject({ expected: `sha256:${wrong}`, actual: `sha256:${sha(bytesOf(p))}` });
      } finally {
        await c.close();
      }
    });

    it("fetches another layer of a package with a media type selector", async () => {
      const p = PACKAGES[0]!;
      const { client: c } = client();
      try {
        const res = await c.request(
          `oci://${peer.host}/${p.channel}/${p.subdir}/${encodeURIComponent(fileOf(p))}?mediaType=${encodeURIComponent("application/vnd.conda.info.index.v1+json")}`,
        );
        expect(await res.json()).toEqual({ name: p.name, version: p.version });
      } finally {
        await c.close();
      }
    });

    it("names the package repository and tag when a build is missing", async () => {
      const { client: c } = client();
      try {
        await expect(
          c.request(`oci://${peer.host}/conda-forge/linux-64/torch-9.9+cpu-py311_0.conda`),
        ).rejects.toThrow(
          /manifest 127\.0\.0\.1:\d+\/conda-forge\/linux-64\/torch:9\.9__p__cpu-py311_0 not found/,
        );
      } finally {
        await c.close();
      }
    });
  },
);
