import { auth, memoryStore } from "@switchyard/auth";
import { type Client, type ClientOptions, createClient, type Middleware } from "@switchyard/core";
import { gcs, staticToken } from "@switchyard/gcs";
import { mirror } from "@switchyard/mirror";
import { oci } from "@switchyard/oci";
import { retry } from "@switchyard/retry";
import { retryAfter } from "@switchyard/retry-after";
import { s3 } from "@switchyard/s3";

/** The plugin stacks every fault runs through. */
export const STACK_NAMES = [
  "core",
  "core+retry",
  "core+retry+retry-after",
  "core+mirror",
  "all seven",
] as const;
export type StackName = (typeof STACK_NAMES)[number];

/** Retries in the suites: two, with millisecond backoff (no real waiting). */
export const MAX_RETRIES = 2;

/** The bearer token auth sends in the all-seven stack. */
export const STACK_TOKEN = "reliability-stack-token-0d1f";

/** What a stack is built against: the base URL requests go to (a test server or a fault proxy). */
export interface StackTarget {
  /** `http://127.0.0.1:PORT` */
  readonly origin: string;
}

/**
 * Paths: GET requests go to `/m/...`. A stack with the mirror plugin maps `${origin}/m` to
 * `${origin}/mirror` (same origin: only loopback is ever contacted); POST is never mirrored and
 * reaches `/m/...` itself. Servers answer both prefixes the same way.
 */
export const REQUEST_PREFIX = "/m";
export const MIRROR_PREFIX = "/mirror";

/** Whether the stack routes GETs through the mirror plugin. */
export function hasMirror(stack: StackName): boolean {
  return stack === "core+mirror" || stack === "all seven";
}

/** Whether the stack retries. */
export function hasRetry(stack: StackName): boolean {
  return stack === "core+retry" || stack === "core+retry+retry-after" || stack === "all seven";
}

/** Whether the stack honours Retry-After. */
export function hasRetryAfter(stack: StackName): boolean {
  return stack === "core+retry+retry-after" || stack === "all seven";
}

/** The middleware of `stack` against `target`, fresh instances (pools, budgets, stores). */
export function stackMiddleware(stack: StackName, target: StackTarget): Middleware[] {
  const fastRetry = () => retry({ maxRetries: MAX_RETRIES, minDelay: 1, maxDelay: 4 });
  const mirrors = () =>
    mirror({ mirrors: { [`${target.origin}${REQUEST_PREFIX}`]: [`${target.origin}${MIRROR_PREFIX}`] } });
  switch (stack) {
    case "core":
      return [];
    case "core+retry":
      return [fastRetry()];
    case "core+retry+retry-after":
      return [fastRetry(), retryAfter({ maxWait: 100 })];
    case "core+mirror":
      return [mirrors()];
    case "all seven":
      return [
        fastRetry(),
        retryAfter({ maxWait: 100 }),
        auth({
          stores: [
            memoryStore({
              [new URL(target.origin).host]: { kind: "bearer", token: STACK_TOKEN, allowInsecureHttp: true },
            }),
          ],
        }),
        mirrors(),
        oci(),
        s3({
          endpoint: "http://127.0.0.1:9",
          credentials: { accessKeyId: "AKIDRELIABILITY", secretAccessKey: "reliability-s3-secret" },
        }),
        gcs({ endpoint: "http://127.0.0.1:9", auth: staticToken("reliability-gcs-token") }),
      ];
  }
}

/** A client of `stack` against `target`. */
export function stackClient(stack: StackName, target: StackTarget, options: ClientOptions = {}): Client {
  return createClient({ ...options, middleware: stackMiddleware(stack, target) });
}
