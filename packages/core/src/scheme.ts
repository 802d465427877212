import { UnsupportedSchemeError } from "./errors.ts";
import { redactUrl } from "./redact.ts";

// The official plugin that turns each non-http scheme into https requests.
const PLUGIN_FOR_SCHEME: Readonly<Record<string, string>> = Object.freeze({
  oci: "@switchyard/oci",
  s3: "@switchyard/s3",
  gs: "@switchyard/gcs",
  gcs: "@switchyard/gcs",
});

/** The package that handles `scheme` (without colon), if an official one does. */
export function pluginForScheme(scheme: string): string | undefined {
  return PLUGIN_FOR_SCHEME[scheme];
}

/** The error for a URL that reached the transport with a scheme nobody turned into http(s). */
export function unsupportedScheme(scheme: string, method: string, url: string): UnsupportedSchemeError {
  const plugin = pluginForScheme(scheme);
  const message = plugin
    ? `no middleware handled ${scheme}: URLs; add ${plugin} to the client's middleware`
    : `no middleware handled ${scheme}: URLs; the transport sends only http: and https:`;
  return new UnsupportedSchemeError(scheme, message, { method, url: redactUrl(url) });
}
