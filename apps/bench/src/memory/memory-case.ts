/** What one memory measurement does, in a fresh child process. */
export type MemoryKind =
  /** bare `undici.request` GET of a presigned URL, body counted chunk by chunk */
  | "bare-down"
  /** Switchyard retry + mirror + s3: a GET under a mirrored https prefix that the mirror sends to `s3://` */
  | "switchyard-down"
  /** the same Switchyard GET read with `bytes()` (buffered) */
  | "buffered-down"
  /** bare `undici.request` PUT of a generated stream to a presigned URL */
  | "bare-up"
  /** Switchyard retry + mirror + s3: PUT `s3://` with a replayable generated stream */
  | "switchyard-up"
  /** the demo's upload proxy in the child: the parent posts multipart, the proxy PUTs through Switchyard */
  | "proxy-up";

/** Where the child finds the S3 peer. */
export interface S3Target {
  readonly url: string;
  readonly region: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly bucket: string;
}

/** The child's instructions (argv[2], JSON). */
export interface MemoryCase {
  readonly kind: MemoryKind;
  readonly size: number;
  readonly s3: S3Target;
  /** The object key transferred. */
  readonly key: string;
  /** For bare cases: the presigned URL of `key` (made by the parent so the child loads only undici). */
  readonly presigned?: string | undefined;
  /** A small object transferred first, so every code path is loaded before the baseline. */
  readonly warmKey: string;
  readonly warmSize: number;
  readonly warmPresigned?: string | undefined;
}

/** What the child reports. */
export interface MemoryResult {
  readonly kind: MemoryKind;
  readonly size: number;
  /** RSS after warm-up and GC, bytes. */
  readonly baseline: number;
  /** Peak RSS during the transfer, bytes. */
  readonly peak: number;
  /** peak - baseline, bytes. */
  readonly growth: number;
  /** Bytes moved (read back, or sent as reported by the server side). */
  readonly bytes: number;
  readonly ms: number;
  readonly status: number;
}

/** The https prefix the mirror maps to the bucket; never contacted (no origin fallback). */
export const MIRRORED_PREFIX = "https://downloads.example.invalid/data";
