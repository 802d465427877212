import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { requirePeer, startTinyproxy, type TinyproxyPeer } from "@switchyard/test-peers";
import { startTestServer, type TestServer } from "@switchyard/testkit/servers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../testing/run-cli.ts";

const tinyproxy = requirePeer("tinyproxy");

describe.skipIf(tinyproxy.skip)(`demo get --proxy env ${tinyproxy.reason}`, () => {
  let server: TestServer;
  let proxy: TinyproxyPeer;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "sy-demo-proxy-"));
    server = await startTestServer();
    server.route("/files/a.txt", { body: "through whatever route\n" });
    proxy = await startTinyproxy();
  });
  afterAll(async () => {
    await Promise.all([server?.close(), proxy?.stop()]);
    await rm(dir, { recursive: true, force: true });
  });

  it("goes through http_proxy, and directly when NO_PROXY names the host", async () => {
    const url = `${server.origin}/files/a.txt`;
    const viaProxy = await runCli(["get", url, "--proxy", "env", "-o", join(dir, "a"), "-q"], {
      env: { http_proxy: proxy.url, no_proxy: "", NO_PROXY: "" },
    });
    expect(viaProxy.code, viaProxy.stderr).toBe(0);
    expect(await readFile(join(dir, "a"), "utf8")).toBe("through whatever route\n");
    expect(proxy.requests()).toContainEqual({ method: "GET", target: url });

    const before = proxy.requests().length;
    const direct = await runCli(["get", url, "--proxy", "env", "-o", join(dir, "b"), "-q"], {
      env: { http_proxy: proxy.url, no_proxy: "127.0.0.1" },
    });
    expect(direct.code, direct.stderr).toBe(0);
    expect(await readFile(join(dir, "b"), "utf8")).toBe("through whatever route\n");
    expect(proxy.requests().length).toBe(before);
  });

  it("reads no proxy variable without --proxy env", async () => {
    const run = await runCli(["get", `${server.origin}/files/a.txt`, "-o", join(dir, "c"), "-q"], {
      env: { http_proxy: "http://127.0.0.1:9" },
    });
    expect(run.code, run.stderr).toBe(0);
  });

  it("refuses a --proxy value that is neither env nor a URL", async () => {
    const run = await runCli(["get", `${server.origin}/files/a.txt`, "--proxy", "environment"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--proxy must be "env" or an http(s) proxy URL');
  });
});
