import type { Credential } from "@switchyard/core";
import { InvalidOptionsError } from "@switchyard/core";
import { parseKey } from "../credential-key.ts";
import type { MatcherEntry } from "../credential-matcher.ts";
import { createMatcher } from "../credential-matcher.ts";
import { authChannels, publish } from "../events.ts";
import { credentialProblem } from "../validate-credential.ts";
import type { AuthStore } from "./auth-store.ts";
import { declareKeys } from "./store-scope.ts";

/**
 * Which environment variables make up a credential. Every name here is read, and nothing else:
 * the store never reads a variable you did not list.
 */
export type EnvCredentialSpec = (
  | { readonly kind: "bearer"; readonly tokenVar: string }
  | { readonly kind: "conda-token"; readonly tokenVar: string }
  | { readonly kind: "basic"; readonly usernameVar: string; readonly passwordVar: string }
  | { readonly kind: "header"; readonly name: string; readonly valueVar: string }
  | {
      readonly kind: "s3";
      readonly accessKeyIdVar: string;
      readonly secretAccessKeyVar: string;
      readonly sessionTokenVar?: string;
      readonly regionVar?: string;
    }
) & { readonly allowInsecureHttp?: boolean };

/** Options of {@link envStore}. */
export interface EnvStoreOptions {
  /** Key (`host`, `host/path`, `*.domain`, `s3://bucket`) to the variables that hold its credential. */
  readonly entries: Readonly<Record<string, EnvCredentialSpec>>;
  /** Where variables are read from, at each lookup. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The store's name in events and errors. @default "env" */
  readonly name?: string;
}

const VAR = /^[A-Za-z_][A-Za-z0-9_]*$/;

function variables(spec: EnvCredentialSpec): { required: string[]; optional: string[] } {
  switch (spec.kind) {
    case "bearer":
    case "conda-token":
      return { required: [spec.tokenVar], optional: [] };
    case "basic":
      return { required: [spec.usernameVar, spec.passwordVar], optional: [] };
    case "header":
      return { required: [spec.valueVar], optional: [] };
    case "s3":
      return {
        required: [spec.accessKeyIdVar, spec.secretAccessKeyVar],
        optional: [spec.sessionTokenVar, spec.regionVar].filter((v): v is string => v !== undefined),
      };
    default:
      return { required: [], optional: [] };
  }
}

function build(spec: EnvCredentialSpec, read: (name: string) => string | undefined): Credential {
  const insecure = spec.allowInsecureHttp === undefined ? {} : { allowInsecureHttp: spec.allowInsecureHttp };
  switch (spec.kind) {
    case "bearer":
      return { kind: "bearer", token: read(spec.tokenVar)!, ...insecure };
    case "conda-token":
      return { kind: "conda-token", token: read(spec.tokenVar)!, ...insecure };
    case "basic":
      return {
        kind: "basic",
        username: read(spec.usernameVar)!,
        password: read(spec.passwordVar)!,
        ...insecure,
      };
    case "header":
      return { kind: "header", name: spec.name, value: read(spec.valueVar)!, ...insecure };
    case "s3": {
      const session = spec.sessionTokenVar === undefined ? undefined : read(spec.sessionTokenVar);
      const region = spec.regionVar === undefined ? undefined : read(spec.regionVar);
      return {
        kind: "s3",
        accessKeyId: read(spec.accessKeyIdVar)!,
        secretAccessKey: read(spec.secretAccessKeyVar)!,
        ...(session ? { sessionToken: session } : {}),
        ...(region ? { region } : {}),
        ...insecure,
      };
    }
  }
}

/**
 * A store whose secrets live in environment variables you name, e.g.
 * `{ "api.example.com": { kind: "bearer", tokenVar: "EXAMPLE_TOKEN" } }`. Variables are read at
 * each lookup; an unset or empty variable makes that entry a miss (and publishes
 * `switchyard:auth:env-missing` naming the variable, never its value).
 *
 * @example
 * const store = envStore({ entries: { "s3://my-bucket": { kind: "s3", accessKeyIdVar: "AWS_ACCESS_KEY_ID", secretAccessKeyVar: "AWS_SECRET_ACCESS_KEY", sessionTokenVar: "AWS_SESSION_TOKEN" } } });
 */
export function envStore(options: EnvStoreOptions): AuthStore {
  if (
    typeof options !== "object" ||
    options === null ||
    typeof options.entries !== "object" ||
    options.entries === null
  ) {
    throw new InvalidOptionsError("envStore needs { entries: { key: { kind, ...Var } } }");
  }
  const name = options.name ?? "env";
  if (typeof name !== "string" || name === "")
    throw new InvalidOptionsError("envStore: name must be a non-empty string");
  const entries: MatcherEntry<EnvCredentialSpec>[] = [];
  for (const [key, spec] of Object.entries(options.entries)) {
    const parsed = parseKey(key);
    if (!parsed.ok) throw new InvalidOptionsError(`envStore entry: ${parsed.reason}`);
    const { required, optional } = variables(spec);
    if (required.length === 0) {
      throw new InvalidOptionsError(
        `envStore entry ${parsed.key.text}: kind must be bearer, conda-token, basic, header or s3 with its ...Var fields`,
      );
    }
    for (const v of [...required, ...optional]) {
      if (typeof v !== "string" || !VAR.test(v)) {
        throw new InvalidOptionsError(
          `envStore entry ${parsed.key.text}: ${String(v)} is not a variable name`,
        );
      }
    }
    if (spec.kind === "header") {
      const problem = credentialProblem({ kind: "header", name: spec.name, value: "x" });
      if (problem !== undefined)
        throw new InvalidOptionsError(`envStore entry ${parsed.key.text}: ${problem}`);
    }
    entries.push({ key: parsed.key, value: spec });
  }
  const matcher = createMatcher(entries);
  const store: AuthStore = {
    name,
    get(url) {
      const found = matcher.match(url);
      if (found === undefined) return Promise.resolve(undefined);
      const env = options.env ?? process.env;
      const read = (v: string) => env[v];
      for (const v of variables(found.value).required) {
        const value = read(v);
        if (value === undefined || value === "") {
          publish(authChannels.envMissing, () => ({ store: name, key: found.key.text, variable: v }));
          return Promise.resolve(undefined);
        }
      }
      return Promise.resolve(build(found.value, read));
    },
  };
  // Its keys are fixed here; only the variables' values are read at each lookup.
  return declareKeys(store, () => matcher.keys);
}
