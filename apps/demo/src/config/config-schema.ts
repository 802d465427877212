import * as v from "valibot";

// Why valibot: the config is checked once at start, so what matters is clear messages with the
// path of every bad field (its issues carry the path), a strict mode that catches misspelt keys,
// and a small, dependency-free package (a few kB of it end up used). Zod would do as well; hand
// written checks for ~40 fields would be longer and drift from the types.

const Millis = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(2 ** 31 - 1));
const Count = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(1000));
const NonEmpty = v.pipe(v.string(), v.minLength(1, "must not be empty"));
const HttpUrl = v.pipe(
  v.string(),
  v.url("must be an absolute URL"),
  v.check((s) => /^https?:/i.test(s), "must be an http: or https: URL"),
);

const Common = { allowInsecureHttp: v.optional(v.boolean()) };

/** One credential, as in `@switchyard/auth`'s memory store. */
export const CredentialSchema = v.variant("kind", [
  v.strictObject({ kind: v.literal("bearer"), token: NonEmpty, ...Common }),
  v.strictObject({ kind: v.literal("basic"), username: v.string(), password: v.string(), ...Common }),
  v.strictObject({ kind: v.literal("conda-token"), token: NonEmpty, ...Common }),
  v.strictObject({ kind: v.literal("header"), name: NonEmpty, value: v.string(), ...Common }),
  v.strictObject({
    kind: v.literal("s3"),
    accessKeyId: NonEmpty,
    secretAccessKey: NonEmpty,
    sessionToken: v.optional(v.string()),
    region: v.optional(v.string()),
    ...Common,
  }),
]);

const RetrySchema = v.strictObject({
  maxRetries: v.optional(Count),
  maxElapsed: v.optional(Millis),
  minDelay: v.optional(Millis),
  maxDelay: v.optional(Millis),
  base: v.optional(v.pipe(v.number(), v.minValue(1))),
  jitter: v.optional(v.picklist(["full", "bounded", "none"])),
  statuses: v.optional(v.array(v.pipe(v.number(), v.integer(), v.minValue(100), v.maxValue(599)))),
  retryNonIdempotent: v.optional(v.boolean()),
  onExhausted: v.optional(v.picklist(["return", "throw"])),
  resume: v.optional(v.boolean()),
});

const RetryAfterSchema = v.strictObject({
  maxWait: v.optional(Millis),
  statuses: v.optional(v.array(v.pipe(v.number(), v.integer(), v.minValue(100), v.maxValue(599)))),
  key: v.optional(v.picklist(["origin", "url"])),
  capacity: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
  rateLimitReset: v.optional(v.boolean()),
});

const AuthSchema = v.strictObject({
  /** Host keys (`host[:port][/path]`, `*.domain`) to credentials: a memory store. */
  credentials: v.optional(v.record(NonEmpty, CredentialSchema)),
  /** rattler's `credentials.json`. */
  credentialsFile: v.optional(NonEmpty),
  /** A netrc file. */
  netrc: v.optional(NonEmpty),
  allowInsecureHttp: v.optional(v.union([v.boolean(), v.array(NonEmpty)])),
  onInsecureHttp: v.optional(v.picklist(["skip", "error"])),
});

const OciSchema = v.strictObject({
  insecureRegistries: v.optional(v.array(NonEmpty)),
  platform: v.optional(NonEmpty),
  layer: v.optional(v.strictObject({ mediaType: v.optional(NonEmpty), title: v.optional(NonEmpty) })),
});

const S3Keys = v.strictObject({
  accessKeyId: NonEmpty,
  secretAccessKey: NonEmpty,
  sessionToken: v.optional(v.string()),
});

const S3Schema = v.strictObject({
  endpoint: v.optional(HttpUrl),
  region: v.optional(NonEmpty),
  forcePathStyle: v.optional(v.boolean()),
  credentials: v.optional(v.union([v.literal("anonymous"), S3Keys])),
  buckets: v.optional(
    v.record(
      NonEmpty,
      v.strictObject({
        endpoint: v.optional(HttpUrl),
        region: v.optional(NonEmpty),
        forcePathStyle: v.optional(v.boolean()),
        credentials: v.optional(v.union([v.literal("anonymous"), S3Keys])),
      }),
    ),
  ),
});

const GcsSchema = v.strictObject({
  endpoint: v.optional(HttpUrl),
  api: v.optional(v.picklist(["xml", "json"])),
  /** A service-account key file. */
  serviceAccountFile: v.optional(NonEmpty),
  /** A fixed access token. */
  token: v.optional(NonEmpty),
  scopes: v.optional(v.array(NonEmpty)),
});

const MirrorEntry = v.union([
  HttpUrl,
  v.pipe(v.string(), v.regex(/^(oci|s3):\/\//, "must be an http(s), oci or s3 URL")),
]);

const MirrorSchema = v.strictObject({
  mirrors: v.optional(
    v.record(HttpUrl, v.pipe(v.array(MirrorEntry), v.minLength(1, "needs at least one mirror"))),
  ),
  fallbackToOrigin: v.optional(v.boolean()),
  maxFailures: v.optional(Count),
  cooldownMs: v.optional(Millis),
  shuffle: v.optional(v.boolean()),
});

/** `true` or `{}` turns a plugin on with defaults, `false` leaves it off. */
function plugin<T extends v.GenericSchema>(schema: T) {
  return v.optional(v.union([v.boolean(), schema]));
}

/** The whole config file. */
export const ConfigSchema = v.strictObject({
  client: v.optional(
    v.strictObject({
      timeout: v.optional(v.pipe(Millis, v.minValue(1))),
      connectTimeout: v.optional(Millis),
      connections: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
      headersTimeout: v.optional(Millis),
      bodyTimeout: v.optional(Millis),
      // "env": a proxy per request from http_proxy/https_proxy/ALL_PROXY/NO_PROXY, as curl does.
      proxy: v.optional(v.union([v.literal("env"), v.pipe(v.string(), v.url())])),
    }),
  ),
  plugins: v.optional(
    v.strictObject({
      retry: plugin(RetrySchema),
      "retry-after": plugin(RetryAfterSchema),
      auth: plugin(AuthSchema),
      oci: plugin(OciSchema),
      s3: plugin(S3Schema),
      gcs: plugin(GcsSchema),
      mirror: plugin(MirrorSchema),
    }),
  ),
});

export type DemoConfig = v.InferOutput<typeof ConfigSchema>;
export type PluginsConfig = NonNullable<DemoConfig["plugins"]>;
export type RetryConfig = v.InferOutput<typeof RetrySchema>;
export type RetryAfterConfig = v.InferOutput<typeof RetryAfterSchema>;
export type AuthConfig = v.InferOutput<typeof AuthSchema>;
export type OciConfig = v.InferOutput<typeof OciSchema>;
export type S3Config = v.InferOutput<typeof S3Schema>;
export type GcsConfig = v.InferOutput<typeof GcsSchema>;
export type MirrorConfig = v.InferOutput<typeof MirrorSchema>;

/** One problem in a config, at a dotted path (`plugins.retry.maxRetries`). */
export interface ConfigProblem {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

function describeIssue(issue: v.BaseIssue<unknown>): string {
  if (issue.type === "strict_object" && issue.expected === "never") return "unknown field";
  if (issue.type === "variant" && issue.path?.at(-1)?.key === "kind") {
    return `must be one of bearer, basic, conda-token, header, s3 (got ${issue.received})`;
  }
  if (issue.type === "union" && issue.issues) {
    // A union of "true/false or options": the options' own problem says more than "not a boolean".
    const inner = issue.issues.find((i) => i.type !== "boolean" && i.type !== "literal");
    if (inner) return describeIssue(inner);
  }
  if (issue.received === "undefined") return "is required";
  if (issue.kind === "schema") {
    const expected = issue.expected === "Object" ? "an object" : issue.expected;
    return `expected ${expected}, got ${issue.received === "Object" ? "an object" : issue.received}`;
  }
  return issue.message.replace(/^Invalid \w+: /, "");
}

/**
 * The most specific issue behind `issue`, with its full path: inside a union ("true or options"),
 * valibot's sub-issues carry paths relative to the union, so they are prefixed here.
 */
function deepest(
  issue: v.BaseIssue<unknown>,
  prefix: readonly (string | number)[] = [],
): { issue: v.BaseIssue<unknown>; path: (string | number)[] } {
  const path = [...prefix, ...(issue.path ?? []).map((item) => item.key as string | number)];
  if (issue.type === "union" && issue.issues) {
    const inner = issue.issues.find((i) => i.type !== "boolean" && i.type !== "literal");
    if (inner) return deepest(inner, path);
  }
  return { issue, path };
}

/** Validates parsed config data; returns the config or every problem with its path. */
export function validateConfig(
  data: unknown,
): { ok: true; config: DemoConfig } | { ok: false; problems: ConfigProblem[] } {
  const result = v.safeParse(ConfigSchema, data ?? {}, { abortPipeEarly: true });
  if (result.success) return { ok: true, config: result.output };
  return {
    ok: false,
    problems: result.issues.map((raw) => {
      const { issue, path } = deepest(raw);
      return { path, message: describeIssue(issue) };
    }),
  };
}
