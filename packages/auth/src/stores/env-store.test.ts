import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { describe, expect, it } from "vitest";
import { envStore } from "./env-store.ts";

describe("envStore", () => {
  const entries = {
    "api.example.com": { kind: "bearer", tokenVar: "EXAMPLE_TOKEN" },
    "conda.example.com": { kind: "conda-token", tokenVar: "CONDA_CHANNEL_TOKEN" },
    "repo.example.com": { kind: "basic", usernameVar: "REPO_USER", passwordVar: "REPO_PASSWORD" },
    "keys.example.com": { kind: "header", name: "X-API-Key", valueVar: "KEYS_API_KEY" },
    "s3://bucket": {
      kind: "s3",
      accessKeyIdVar: "AWS_ACCESS_KEY_ID",
      secretAccessKeyVar: "AWS_SECRET_ACCESS_KEY",
      sessionTokenVar: "AWS_SESSION_TOKEN",
      regionVar: "AWS_REGION",
    },
  } as const;

  it("reads exactly the variables it was given, at each lookup", async () => {
    const env: Record<string, string | undefined> = {
      EXAMPLE_TOKEN: "tok",
      CONDA_CHANNEL_TOKEN: "ct",
      REPO_USER: "u",
      REPO_PASSWORD: "p",
      KEYS_API_KEY: "k",
      AWS_ACCESS_KEY_ID: "AKIA",
      AWS_SECRET_ACCESS_KEY: "sec",
      AWS_REGION: "eu-west-1",
    };
    const read: string[] = [];
    const spy = new Proxy(env, {
      get(target, name: string) {
        read.push(name);
        return target[name];
      },
    });
    const store = envStore({ entries, env: spy });
    expect(await store.get("https://api.example.com/")).toEqual({ kind: "bearer", token: "tok" });
    expect(await store.get("https://conda.example.com/")).toEqual({ kind: "conda-token", token: "ct" });
    expect(await store.get("https://repo.example.com/")).toEqual({
      kind: "basic",
      username: "u",
      password: "p",
    });
    expect(await store.get("https://keys.example.com/")).toEqual({
      kind: "header",
      name: "X-API-Key",
      value: "k",
    });
    expect(await store.get("s3://bucket/key")).toEqual({
      kind: "s3",
      accessKeyId: "AKIA",
      secretAccessKey: "sec",
      region: "eu-west-1",
    });
    expect(await store.get("https://other.example.com/")).toBeUndefined();
    expect(new Set(read)).toEqual(
      new Set([
        "EXAMPLE_TOKEN",
        "CONDA_CHANNEL_TOKEN",
        "REPO_USER",
        "REPO_PASSWORD",
        "KEYS_API_KEY",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_REGION",
      ]),
    );
    env.EXAMPLE_TOKEN = "rotated";
    expect(await store.get("https://api.example.com/")).toMatchObject({ token: "rotated" });
  });

  it("a missing variable is a miss with an event naming the variable", async () => {
    const events: unknown[] = [];
    const fn = (m: unknown) => events.push(m);
    subscribe("switchyard:auth:env-missing", fn);
    try {
      expect(await envStore({ entries, env: {} }).get("https://api.example.com/")).toBeUndefined();
      expect(events).toEqual([{ store: "env", key: "api.example.com", variable: "EXAMPLE_TOKEN" }]);
    } finally {
      unsubscribe("switchyard:auth:env-missing", fn);
    }
  });

  it("rejects bad specs synchronously", () => {
    expect(() => envStore({ entries: { "a.com": { kind: "bearer", tokenVar: "NOT A VAR" } } })).toThrow(
      /variable name/,
    );
    expect(() => envStore({ entries: { "a.com": { kind: "oauth" } as never } })).toThrow(/kind/);
    expect(() => envStore(undefined as never)).toThrow(/entries/);
  });
});
