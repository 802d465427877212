/**
 * Which bucket names the s3 plugin accepts:
 *
 * - `"aws"`: the S3 general-purpose bucket naming rules (3-63 characters of lower-case letters,
 *   digits, dots and hyphens, starting and ending with a letter or digit, no adjacent dots, not
 *   an IPv4 address, none of the reserved prefixes `xn--`, `sthree-`, `amzn-s3-demo-` or suffixes
 *   `-s3alias`, `--ol-s3`, `.mrap`, `--x-s3`, `--table-s3`);
 * - `"relaxed"`: what S3-compatible stores (Ceph, older MinIO, legacy us-east-1 buckets) also
 *   accept: 2-255 letters (either case), digits, `.`, `_` and `-`, starting with a letter or digit,
 *   no adjacent dots. Access point aliases (`...-s3alias`) need it too.
 */
export type BucketNameRules = "aws" | "relaxed";

/** The rule names, for option validation. */
export const BUCKET_NAME_RULES: readonly BucketNameRules[] = Object.freeze(["aws", "relaxed"]);

const AWS_CHARS = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const RELAXED_CHARS = /^[A-Za-z0-9][A-Za-z0-9._-]{1,254}$/;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
const RESERVED_PREFIXES = ["xn--", "sthree-", "amzn-s3-demo-"];
const RESERVED_SUFFIXES = ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"];

/**
 * Why `name` is not a bucket name under `rules`, or undefined when it is one. Pure.
 *
 * @example
 * bucketNameProblem("my-bucket", "aws"); // undefined
 * bucketNameProblem("xn--bucket", "aws"); // "starts with the reserved prefix \"xn--\""
 */
export function bucketNameProblem(name: string, rules: BucketNameRules = "aws"): string | undefined {
  if (name.includes("..")) return "holds two adjacent dots";
  if (rules === "relaxed") {
    return RELAXED_CHARS.test(name)
      ? undefined
      : "is not 2-255 letters, digits, dots, underscores and hyphens starting with a letter or digit";
  }
  if (name.length < 3 || name.length > 63) return `is ${name.length} characters long, not 3 to 63`;
  if (!AWS_CHARS.test(name))
    return "is not lower-case letters, digits, dots and hyphens starting and ending with a letter or digit";
  if (IPV4.test(name)) return "is formatted as an IP address";
  const prefix = RESERVED_PREFIXES.find((p) => name.startsWith(p));
  if (prefix !== undefined) return `starts with the reserved prefix ${JSON.stringify(prefix)}`;
  const suffix = RESERVED_SUFFIXES.find((s) => name.endsWith(s));
  if (suffix !== undefined) return `ends with the reserved suffix ${JSON.stringify(suffix)}`;
  return undefined;
}
