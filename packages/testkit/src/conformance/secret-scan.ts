import { Context } from "@switchyard/core";

/** Where a secret was found: a path into the scanned value and which secret form matched. */
export interface SecretFinding {
  readonly path: string;
  readonly form: string;
}

const MAX_DEPTH = 8;
const MAX_NODES = 20_000;
const MAX_BYTES = 64 * 1024;

/**
 * Every form a planted secret may take on its way out: as planted, percent-encoded and base64
 * (what a `Basic` header made from URL userinfo carries).
 */
export function secretForms(secrets: Readonly<Record<string, string>>): ReadonlyMap<string, string> {
  const forms = new Map<string, string>();
  for (const [label, secret] of Object.entries(secrets)) {
    forms.set(secret, label);
    const encoded = encodeURIComponent(secret);
    if (!forms.has(encoded)) forms.set(encoded, `${label} (percent-encoded)`);
    const base64 = Buffer.from(secret).toString("base64").replace(/=+$/, "");
    if (!forms.has(base64)) forms.set(base64, `${label} (base64)`);
  }
  return forms;
}

/**
 * Walks `value` (errors with their message, stack, cause and `errors`; plain objects, arrays,
 * maps, sets, URLs, headers, byte arrays) and reports every string that carries one of `forms`.
 * A call's `Context` is not walked: it legitimately holds per-call credentials.
 */
export function findSecrets(
  value: unknown,
  forms: ReadonlyMap<string, string>,
  root = "value",
): SecretFinding[] {
  const findings: SecretFinding[] = [];
  const seen = new Set<object>();
  let nodes = 0;

  const text = (s: string, path: string): void => {
    for (const [form, label] of forms) {
      if (s.includes(form)) findings.push({ path, form: label });
    }
  };

  const walk = (v: unknown, path: string, depth: number): void => {
    if (++nodes > MAX_NODES) return;
    if (typeof v === "string") {
      text(v, path);
      return;
    }
    if (typeof v !== "object" && typeof v !== "function") return;
    if (v === null || depth > MAX_DEPTH || seen.has(v)) return;
    seen.add(v);
    if (v instanceof Context) return;
    if (v instanceof URL) {
      text(v.href, path);
      return;
    }
    if (ArrayBuffer.isView(v)) {
      const bytes = Buffer.from(v.buffer, v.byteOffset, Math.min(v.byteLength, MAX_BYTES));
      text(bytes.toString("latin1"), path);
      return;
    }
    if (v instanceof Error) {
      text(String(v.message), `${path}.message`);
      if (typeof v.stack === "string") text(v.stack, `${path}.stack`);
      if ("cause" in v) walk(v.cause, `${path}.cause`, depth + 1);
      if (v instanceof AggregateError) walk(v.errors, `${path}.errors`, depth + 1);
    }
    if (v instanceof Map) {
      for (const [k, item] of v) {
        walk(k, `${path}.key`, depth + 1);
        walk(item, `${path}[${String(k)}]`, depth + 1);
      }
      return;
    }
    if (v instanceof Set) {
      for (const item of v) walk(item, `${path}[]`, depth + 1);
      return;
    }
    // Headers (core's HttpHeaders keep their record private; WHATWG Headers iterate).
    const toRecord = (v as { toRecord?: unknown }).toRecord;
    if (typeof toRecord === "function") walk(toRecord.call(v), `${path}.headers`, depth + 1);
    else if (typeof Headers !== "undefined" && v instanceof Headers) {
      for (const [name, item] of v) text(`${name}: ${item}`, `${path}[${name}]`);
    }
    if (typeof v === "function") return;
    for (const key of Object.keys(v)) {
      let item: unknown;
      try {
        item = (v as Record<string, unknown>)[key];
      } catch {
        continue;
      }
      text(key, `${path} (key)`);
      walk(item, Array.isArray(v) ? `${path}[${key}]` : `${path}.${key}`, depth + 1);
    }
  };

  walk(value, root, 0);
  return findings;
}
