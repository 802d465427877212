/** What one worker of `demo fleet` is told to do (passed as JSON on its command line). */
export interface WorkerPlan {
  readonly store:
    | { readonly kind: "none" }
    | { readonly kind: "sqlite"; readonly path: string }
    | { readonly kind: "redis"; readonly url: string };
  readonly rateLimitedUrl: string;
  readonly mirrorPrefix: string;
  readonly mirrors: readonly string[];
  readonly registry?: {
    readonly host: string;
    readonly user: string;
    readonly password: string;
    readonly artifact: string;
  };
  /** base64 of 32 bytes: seals tokens in the shared store. */
  readonly sealKey: string;
  readonly durationMs: number;
  readonly pauseMs: number;
}
