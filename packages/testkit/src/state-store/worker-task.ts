/** One task a child process of the multi-process checks runs. */
export type WorkerTask =
  | { readonly kind: "increment"; readonly key: string; readonly times: number; readonly ttlMs: number }
  | { readonly kind: "setIfAbsent"; readonly key: string; readonly value: string; readonly ttlMs: number }
  | { readonly kind: "extendDeadline"; readonly key: string; readonly inMs: number }
  | { readonly kind: "lease"; readonly key: string; readonly ttlMs: number; readonly die?: boolean }
  | { readonly kind: "set"; readonly key: string; readonly value: string; readonly ttlMs: number }
  | { readonly kind: "delete"; readonly key: string };
