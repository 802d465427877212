import { randomInt } from "node:crypto";

/** A FormData encoded as multipart/form-data: its parts, total length and content type. */
export interface EncodedForm {
  readonly contentType: string;
  readonly length: number;
  /** Streams the parts; file parts are read as they are sent, never held in memory. */
  readonly stream: () => AsyncIterable<Uint8Array>;
}

const encoder = new TextEncoder();
const CRLF = encoder.encode("\r\n");

// The HTML standard's escapes for names and filenames in a Content-Disposition line.
function escapeName(value: string): string {
  return value.replaceAll("\n", "%0A").replaceAll("\r", "%0D").replaceAll('"', "%22");
}

function crlf(value: string): string {
  return value.replace(/\r?\n|\r/g, "\r\n");
}

/**
 * Encodes `form` as multipart/form-data the way the HTML standard (and so fetch) does, with its
 * length known up front: headers are small strings, file parts have a size. So a FormData body is
 * sent with `Content-Length` (not chunked), as fetch sends it, and can be sent again.
 */
export function encodeFormData(form: FormData): EncodedForm {
  const boundary = `----formdata-switchyard-${String(randomInt(1e11)).padStart(11, "0")}`;
  const parts: (Uint8Array | Blob)[] = [];
  let length = 0;
  for (const [name, value] of form) {
    const head = `--${boundary}\r\nContent-Disposition: form-data; name="${escapeName(crlf(name))}"`;
    if (typeof value === "string") {
      const bytes = encoder.encode(`${head}\r\n\r\n${crlf(value)}\r\n`);
      parts.push(bytes);
      length += bytes.byteLength;
    } else {
      const file = value as File;
      const bytes = encoder.encode(
        `${head}${file.name ? `; filename="${escapeName(file.name)}"` : ""}\r\nContent-Type: ${
          file.type || "application/octet-stream"
        }\r\n\r\n`,
      );
      parts.push(bytes, file, CRLF);
      length += bytes.byteLength + file.size + CRLF.byteLength;
    }
  }
  const tail = encoder.encode(`--${boundary}--\r\n`);
  parts.push(tail);
  length += tail.byteLength;
  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    length,
    stream: () => streamParts(parts),
  };
}

async function* streamParts(parts: readonly (Uint8Array | Blob)[]): AsyncIterable<Uint8Array> {
  for (const part of parts) {
    if (part instanceof Uint8Array) yield part;
    else yield* part.stream() as unknown as AsyncIterable<Uint8Array>;
  }
}
