/**
 * Percent-encoding for GCS object names. Both APIs take the RFC 3986 unreserved set literally and
 * everything else as `%XX` of its UTF-8 bytes; the XML API keeps `/` in the path, the JSON API
 * needs it encoded (`%2F`) because the object name is one path segment there.
 */
import { percentDecode, rfc3986Encode } from "@switchyard/core";

/** RFC 3986 encoding; `/` kept when `keepSlash` is set. */
export const encodeName: (text: string, keepSlash: boolean) => string = rfc3986Encode;

export { percentDecode };
