import type { LookupAddress, LookupAllOptions } from "node:dns";
import type { LookupFunction } from "node:net";
import type { AddressPolicy } from "./address-policy.ts";
import { SsrfError } from "./ssrf-error.ts";

/** A resolver with `dns.lookup`'s `all: true` shape: every address of a name. */
export type Resolver = (
  hostname: string,
  options: LookupAllOptions,
  callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

/** Called for each name resolved, with what was kept and refused (for the event). */
export type LookupReport = (
  hostname: string,
  kept: readonly LookupAddress[],
  refused: readonly SsrfError[],
) => void;

/**
 * A `lookup` for core's transport that resolves with `resolve` and hands the connection only the
 * addresses the policy allows: the socket connects to one of those, so the check is on the address
 * actually connected to, however the name resolves next time (DNS rebinding). When every address
 * is refused, the connection fails with {@link SsrfError}.
 */
export function guardedLookup(
  policy: AddressPolicy,
  resolve: Resolver,
  report: LookupReport,
): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) {
        (callback as (e: NodeJS.ErrnoException) => void)(error);
        return;
      }
      const kept: LookupAddress[] = [];
      const refused: SsrfError[] = [];
      for (const entry of addresses) {
        const refusal = policy.check(entry.address);
        if (refusal === undefined) kept.push(entry);
        else refused.push(new SsrfError({ ...refusal, hostname }));
      }
      report(hostname, kept, refused);
      const first = kept[0];
      if (first === undefined) {
        const reason = refused[0] ?? new SsrfError({ address: "(none)", range: "unresolved", hostname });
        (callback as (e: NodeJS.ErrnoException) => void)(reason as unknown as NodeJS.ErrnoException);
        return;
      }
      if (options.all) (callback as (e: null, a: LookupAddress[]) => void)(null, kept);
      else (callback as (e: null, a: string, f: number) => void)(null, first.address, first.family);
    });
  };
}
