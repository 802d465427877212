import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildClientOptions, configuredPlugins } from "./build-client.ts";
import { ConfigError, formatPath, loadConfig, parseConfigText } from "./load-config.ts";

function problems(text: string): readonly string[] {
  try {
    parseConfigText(text, "demo.yaml");
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("the config was accepted");
}

describe("parseConfigText: errors name the field and its position", () => {
  it.each([
    [
      "a number as a string",
      "plugins:\n  retry:\n    maxRetries: '3'\n",
      `3:17: plugins.retry.maxRetries: expected number, got "3"`,
    ],
    [
      "a misspelt field",
      "plugins:\n  retry:\n    maxRetry: 3\n",
      "3:5: plugins.retry.maxRetry: unknown field",
    ],
    ["an unknown top-level field", "clients: {}\n", "1:1: clients: unknown field"],
    [
      "a negative delay",
      "plugins:\n  retry: { minDelay: -1 }\n",
      "2:22: plugins.retry.minDelay: Expected >=0 but received -1",
    ],
    [
      "a bad jitter",
      `{"plugins": {"retry": {"jitter": "some"}}}`,
      `1:34: plugins.retry.jitter: expected ("full" | "bounded" | "none"), got "some"`,
    ],
    [
      "a bad credential kind",
      "plugins:\n  auth:\n    credentials:\n      api.example.com: { kind: bearr, token: x }\n",
      `4:32: plugins.auth.credentials["api.example.com"].kind: must be one of bearer, basic, conda-token, header, s3 (got "bearr")`,
    ],
    [
      "a credential without its token",
      "plugins:\n  auth:\n    credentials:\n      api.example.com: { kind: bearer }\n",
      `4:24: plugins.auth.credentials["api.example.com"].token: is required`,
    ],
    [
      "a mirror that is not a URL we can use",
      "plugins:\n  mirror:\n    mirrors:\n      'https://a.example/x': [ 'ftp://b' ]\n",
      `4:32: plugins.mirror.mirrors["https://a.example/x"][0]: must be an http: or https: URL`,
    ],
    [
      "an endpoint that is not a URL",
      "plugins:\n  s3:\n    endpoint: nope\n",
      "3:15: plugins.s3.endpoint: must be an absolute URL",
    ],
    ["a plugin set to a number", "plugins:\n  gcs: 3\n", "2:8: plugins.gcs: expected an object, got 3"],
    ["a duplicate key", "plugins:\n  retry: {}\n  retry: {}\n", "3:3: Map keys must be unique"],
    [
      "a YAML syntax error",
      "plugins: [\n",
      "2:1: Flow sequence in block collection must be sufficiently indented and end with a ]",
    ],
  ])("%s", (_name, text, expected) => {
    expect(problems(text)).toEqual([expected]);
  });

  it("reports every problem, not just the first", () => {
    expect(problems("plugins:\n  retry: { maxRetries: x }\n  oci: { platform: 1 }\n")).toHaveLength(2);
  });

  it("puts the file name in the message", () => {
    expect(() => parseConfigText("clients: 1\n", "/etc/demo.yaml")).toThrow(
      "/etc/demo.yaml: 1:1: clients: unknown field",
    );
  });
});

describe("parseConfigText: valid configs", () => {
  it("reads YAML and JSON alike", () => {
    const yaml = parseConfigText("plugins:\n  retry: { maxRetries: 2 }\n  oci: true\n").config;
    const json = parseConfigText(`{"plugins": {"retry": {"maxRetries": 2}, "oci": true}}`).config;
    expect(yaml).toEqual(json);
    expect(configuredPlugins(yaml)).toEqual(["retry", "oci"]);
  });

  it("leaves out plugins set to false", () => {
    expect(
      configuredPlugins(parseConfigText("plugins: { retry: false, mirror: { mirrors: {} } }").config),
    ).toEqual(["mirror"]);
  });

  it("treats an empty file as no settings", () => {
    expect(parseConfigText("").config).toEqual({});
  });
});

describe("formatPath", () => {
  it.each([
    [["plugins", "retry", "maxRetries"], "plugins.retry.maxRetries"],
    [["plugins", "mirror", "mirrors", "https://a/x", 0], `plugins.mirror.mirrors["https://a/x"][0]`],
    [["plugins", "retry-after"], "plugins.retry-after"],
    [[], "(top level)"],
  ])("%j -> %s", (path, text) => {
    expect(formatPath(path)).toBe(text);
  });
});

describe("buildClientOptions", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "sy-demo-config-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("assembles every plugin of a full config, ordered by stage in the client", async () => {
    const file = join(dir, "full.yaml");
    await writeFile(
      file,
      [
        "client: { timeout: 30000, connections: 4 }",
        "plugins:",
        "  mirror: { mirrors: { 'https://conda.example/forge': ['https://mirror.example/forge'] } }",
        "  auth: { credentials: { api.example.com: { kind: bearer, token: t0ken } } }",
        "  retry: { maxRetries: 2 }",
        "  retry-after: { maxWait: 1000 }",
        "  oci: { insecureRegistries: ['127.0.0.1:5000'] }",
        "  s3: { endpoint: 'http://127.0.0.1:9000', credentials: { accessKeyId: a, secretAccessKey: b } }",
        "  gcs: { token: static-token }",
      ].join("\n"),
    );
    const loaded = await loadConfig(file);
    const options = await buildClientOptions(loaded, configuredPlugins(loaded.config));
    expect(options.timeout).toBe(30000);
    expect(options.middleware?.map((m) => m.stage)).toEqual(
      expect.arrayContaining(["policy", "route", "resolve", "authorize", "send"]),
    );
    expect(options.middleware).toHaveLength(7);
  });

  it("turns a plugin factory's refusal into a config error at the plugin's path", async () => {
    const loaded = parseConfigText(
      "plugins:\n  mirror: { mirrors: { 'https://a.example/x': ['https://b.example/y?q=1'] } }\n",
      "m.yaml",
    );
    await expect(buildClientOptions(loaded, ["mirror"])).rejects.toThrow(
      /^m\.yaml: plugins\.mirror: mirror\(\) refused its options: /,
    );
  });

  it("says what auth lacks when it has no credentials", async () => {
    const loaded = parseConfigText("plugins: { auth: true }\n", "a.yaml");
    await expect(buildClientOptions(loaded, ["auth"])).rejects.toThrow(
      "a.yaml: plugins.auth: no credentials: give credentials, credentialsFile or netrc (or --bearer HOST=TOKEN)",
    );
  });

  it("says what mirror lacks when it has no table", async () => {
    await expect(buildClientOptions(parseConfigText(""), ["mirror"])).rejects.toThrow(
      "plugins.mirror.mirrors: is required: prefix -> list of mirrors (or --mirror PREFIX=URL)",
    );
  });

  it("reports a service-account file it cannot read at its field", async () => {
    const loaded = parseConfigText(
      "plugins: { gcs: { serviceAccountFile: ./missing.json } }\n",
      join(dir, "g.yaml"),
    );
    await expect(buildClientOptions(loaded, ["gcs"])).rejects.toThrow(
      /plugins\.gcs\.serviceAccountFile: cannot read .*missing\.json \(ENOENT\)/,
    );
  });

  it("reports a file that cannot be read", async () => {
    await expect(loadConfig(join(dir, "nope.yaml"))).rejects.toThrow(
      /nope\.yaml: cannot read the file \(ENOENT\)/,
    );
  });
});
