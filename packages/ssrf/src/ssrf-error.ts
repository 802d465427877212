import { SwitchyardError, type SwitchyardErrorOptions } from "@switchyard/core";

/** What {@link SsrfError} adds to the usual error options. */
export interface SsrfErrorOptions extends SwitchyardErrorOptions {
  /** The refused address. */
  readonly address: string;
  /** The range that refused it (`loopback`, `private`, `linkLocal`, `ipv4Mapped(loopback)`...). */
  readonly range: string;
  /** The host name that resolved to it, when the URL named one. */
  readonly hostname?: string;
}

/**
 * A request was refused because it would connect to an address the SSRF guard does not allow.
 * Not transient: the same URL leads to the same address.
 */
export class SsrfError extends SwitchyardError {
  override name = "SsrfError";
  /** The code of every SsrfError; `instanceof` and `isSsrfError` match by it. */
  static readonly code: string = "SWITCHYARD_ERR_SSRF";
  readonly address: string;
  readonly range: string;
  readonly hostname: string | undefined;
  constructor(options: SsrfErrorOptions) {
    const via = options.hostname === undefined ? "" : ` (${options.hostname} resolved to it)`;
    super(
      "SWITCHYARD_ERR_SSRF",
      `refused to connect to ${options.address}${via}: a ${options.range} address; add it to the ssrf allow-list if this is intended`,
      { ...options, transient: false },
    );
    this.address = options.address;
    this.range = options.range;
    this.hostname = options.hostname;
  }
}

/** Tells whether `value` is an {@link SsrfError} (also across duplicate installed copies). */
export function isSsrfError(value: unknown): value is SsrfError {
  return value instanceof SsrfError;
}
