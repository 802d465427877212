import type { Readable } from "node:stream";
import type { HttpResponse } from "@switchyard/core";
import type { RegistryErrorEntry } from "./errors.ts";

// Gives a body up for good: undici's body reports an abort as an error, which must not go unheard.
function abandon(body: Readable): void {
  body.on("error", () => {});
  body.destroy();
}

/** Reads a response body up to `limit` bytes; undefined (body destroyed) when it is larger. */
export async function readLimited(response: HttpResponse, limit: number): Promise<Buffer | undefined> {
  const declared = Number(response.headers.get("content-length"));
  const body = response.body;
  if (Number.isFinite(declared) && declared > limit) {
    abandon(body);
    return undefined;
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body) {
    const buffer = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
    total += buffer.length;
    if (total > limit) {
      abandon(body);
      return undefined;
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

// Error bodies are small; anything bigger is not a registry error document.
const ERROR_BODY_LIMIT = 64 * 1024;

/**
 * Reads a failed response's body and extracts the registry's JSON errors
 * (`{"errors":[{"code","message","detail"}]}`, distribution spec). Never throws: an unreadable
 * or non-JSON body gives an empty list.
 */
export async function readRegistryErrors(response: HttpResponse): Promise<RegistryErrorEntry[]> {
  let text: Buffer | undefined;
  try {
    text = await readLimited(response, ERROR_BODY_LIMIT);
  } catch {
    return [];
  }
  return text === undefined ? [] : parseRegistryErrors(text.toString("utf8"));
}

/** Extracts `errors[].code/message/detail` from a registry error body. Pure; never throws. */
export function parseRegistryErrors(text: string): RegistryErrorEntry[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return [];
  }
  const errors = (json as { errors?: unknown } | null)?.errors;
  if (!Array.isArray(errors)) return [];
  const out: RegistryErrorEntry[] = [];
  for (const e of errors.slice(0, 20)) {
    if (typeof e !== "object" || e === null) continue;
    const { code, message, detail } = e as { code?: unknown; message?: unknown; detail?: unknown };
    if (typeof code !== "string") continue;
    const entry: { code: string; message: string; detail?: unknown } = {
      code: code.slice(0, 100),
      message: typeof message === "string" ? message.slice(0, 500) : "",
    };
    if (detail !== undefined) entry.detail = detail;
    out.push(entry);
  }
  return out;
}
