/** Longest id accepted: ids end up in logs on both sides, so keep them short. */
export const MAX_REQUEST_ID_LENGTH = 200;

// RFC 9110 §5.5 allows more in a field value, but an id is copied into logs and other headers:
// visible ASCII only (VCHAR, %x21-7E), so no spaces, no control characters, nothing to escape.
const VISIBLE_ASCII = /^[\x21-\x7e]+$/;

/**
 * Whether `value` can be sent as a request id: a string of 1 to {@link MAX_REQUEST_ID_LENGTH}
 * visible ASCII characters.
 */
export function isValidRequestId(value: unknown): value is string {
  return typeof value === "string" && value.length <= MAX_REQUEST_ID_LENGTH && VISIBLE_ASCII.test(value);
}
