export type { Refusal } from "./address-policy.ts";
export { AddressPolicy, parseCidr } from "./address-policy.ts";
export type { LookupReport, Resolver } from "./guarded-lookup.ts";
export { guardedLookup } from "./guarded-lookup.ts";
export type { SsrfGuard, SsrfOptions } from "./ssrf.ts";
export { ssrf } from "./ssrf.ts";
export type { SsrfErrorOptions } from "./ssrf-error.ts";
export { isSsrfError, SsrfError } from "./ssrf-error.ts";
