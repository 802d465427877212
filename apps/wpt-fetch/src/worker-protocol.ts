import type { WptPage } from "./test-files.ts";

/** Which `fetch` a page runs against. */
export type FetchImpl = "node" | "switchyard";

/** What the runner hands a worker. */
export interface WorkerInput {
  readonly impl: FetchImpl;
  readonly page: WptPage;
  readonly serverUrl: string;
  readonly harnessPath: string;
}

/** What a worker reports: each subtest's result, the harness's end, uncaught exceptions. */
export type WorkerMessage =
  | { readonly type: "result"; readonly name: string; readonly status: number; readonly message: string }
  | { readonly type: "done"; readonly status: number; readonly message: string }
  | { readonly type: "uncaught"; readonly name: string; readonly message: string; readonly stack: string };
