import diagnosticsChannel from "node:diagnostics_channel";

type Payload = Record<string, unknown>;
type Format = (p: Payload) => string;

const ms = (value: unknown) => (typeof value === "number" ? `${Math.round(value)} ms` : "?");
const call = (p: Payload) => `${p.method ?? ""} ${p.url ?? ""}`.trim();
const errorText = (value: unknown) => {
  if (value instanceof Error) return `${value.name}: ${value.message.split("\n")[0]}`;
  return typeof value === "string" ? value : JSON.stringify(value);
};

/**
 * The diagnostics channels worth showing a person, with one line each. Payloads carry no secrets
 * (the plugins redact URLs and never publish header values), so they are printed as they come.
 */
export const VERBOSE_CHANNELS: Readonly<Record<string, Format>> = Object.freeze({
  "switchyard:core:redirect": (p) => `${p.status} redirect ${p.from} -> ${p.to}`,
  "switchyard:retry:retry": (p) =>
    `${call(p)}: attempt ${p.attempt} failed (${p.reason}); attempt ${p.nextAttempt} in ${ms(p.delay)}`,
  "switchyard:retry:give-up": (p) =>
    `${call(p)}: giving up after ${p.attempts} attempt(s) (${p.stop}; last: ${p.reason})`,
  "switchyard:retry:resume": (p) =>
    `${call(p)}: body broke at byte ${p.offset} (${p.reason}); resuming in ${ms(p.delay)}`,
  "switchyard:retry-after:record": (p) =>
    `${call(p)}: ${p.status} asks to wait ${ms(p.delay)} (Retry-After: ${p.header})`,
  "switchyard:retry-after:wait": (p) => `${call(p)}: waiting ${ms(p.delay)} for the server's deadline`,
  "switchyard:retry-after:reject": (p) =>
    `${call(p)}: deadline ${ms(p.delay)} away is past maxWait ${ms(p.maxWait)}`,
  "switchyard:retry-after:invalid": (p) => `${call(p)}: ignoring Retry-After ${JSON.stringify(p.value)}`,
  "switchyard:auth:applied": (p) => `${call(p)}: ${p.kind} credential from store ${p.store}`,
  "switchyard:auth:skipped": (p) => `${call(p)}: ${p.kind} credential from ${p.store} not sent (${p.reason})`,
  "switchyard:auth:challenge": (p) => `${call(p)}: 401 challenge, ${p.outcome}`,
  "switchyard:auth:token-refresh": (p) => `token for ${p.key} from ${p.store}: ${p.outcome}`,
  "switchyard:auth:env-missing": (p) => `${p.key}: environment variable ${p.variable} is not set`,
  "switchyard:auth:file-problem": (p) => `${p.file}:${p.line}:${p.column}: ${p.message}`,
  "switchyard:oci:probe": (p) =>
    `registry ${p.registry}: /v2/ answered ${p.status} (auth: ${p.scheme ?? "none"})`,
  "switchyard:oci:token": (p) =>
    `token exchange at ${p.realm} for ${p.scope}: ${p.status}${p.authenticated ? " (with credentials)" : " (anonymous)"} in ${ms(p.durationMs)}`,
  "switchyard:oci:resolve": (p) =>
    `${p.registry}/${p.repository}:${p.reference} -> ${p.digest} (${p.size} bytes, via ${p.via})`,
  "switchyard:oci:redirect": (p) =>
    `blob redirect ${p.from} -> ${p.to}${p.crossOrigin ? " (credentials dropped)" : ""}`,
  "switchyard:s3:sign": (p) =>
    `${call(p)}: ${p.signed ? "signed" : "unsigned"} for ${p.bucket} in ${p.region}${p.unsignedPayload ? " (UNSIGNED-PAYLOAD)" : ""}`,
  "switchyard:s3:error": (p) => `${call(p)}: S3 answered ${p.status} ${p.s3Code}`,
  "switchyard:gcs:token": (p) =>
    p.outcome === "fetched"
      ? `token from ${p.provider} in ${ms(p.durationMs)}`
      : `token from ${p.provider} failed: ${errorText(p.error)}`,
  "switchyard:gcs:request": (p) => `${call(p)}: ${p.authorized ? "with a bearer token" : "without a token"}`,
  "switchyard:gcs:error": (p) => `${call(p)}: GCS answered ${p.status} ${p.reason ?? ""}`.trim(),
  "switchyard:mirror:selected": (p) =>
    `${call(p)}: attempt ${p.attempt} via ${p.kind} ${p.mirror}${p.probe ? " (probe)" : ""}`,
  "switchyard:mirror:failed": (p) =>
    `${p.kind} ${p.mirror} failed (${p.status ?? errorText(p.error)}); ${p.failures}/${p.maxFailures} failures`,
  "switchyard:mirror:recovered": (p) =>
    `${p.kind} ${p.mirror} answers again after ${p.previousFailures} failure(s)`,
});

/**
 * Prints one line per event of the channels above to `write` (`[retry] GET ...: ...`) until the
 * returned function is called.
 */
export function subscribeVerbose(write: (line: string) => void): () => void {
  const subscriptions: [string, (message: unknown) => void][] = [];
  for (const [name, format] of Object.entries(VERBOSE_CHANNELS)) {
    const plugin = name.split(":")[1];
    const listener = (message: unknown) => {
      let text: string;
      try {
        text = format((message ?? {}) as Payload);
      } catch {
        text = "(event)";
      }
      write(`[${plugin}] ${text}`);
    };
    diagnosticsChannel.subscribe(name, listener);
    subscriptions.push([name, listener]);
  }
  return () => {
    for (const [name, listener] of subscriptions) diagnosticsChannel.unsubscribe(name, listener);
  };
}
