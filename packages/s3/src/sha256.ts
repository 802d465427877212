import { createHash, createHmac, type Hash, type Hmac } from "node:crypto";

type Input = string | ArrayBuffer | ArrayBufferView;

function bytes(data: Input): Uint8Array | string {
  if (typeof data === "string") return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * The hash constructor `@smithy/signature-v4` needs (it ships none): SHA-256, or HMAC-SHA-256
 * when constructed with a secret, over node:crypto.
 */
export class NodeSha256 {
  readonly #hash: Hash | Hmac;

  constructor(secret?: Input) {
    this.#hash = secret === undefined ? createHash("sha256") : createHmac("sha256", bytes(secret));
  }

  update(data: Input): void {
    this.#hash.update(bytes(data));
  }

  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.#hash.digest()));
  }
}

/** Hex SHA-256 of in-memory bytes (a string counts as its UTF-8 bytes). */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}
