import { describeConformance } from "@switchyard/testkit/conformance";
import { describe, it } from "vitest";
import { REQUEST_ID_ASSIGNED_CHANNEL, requestId } from "../src/index.ts";

const MiB = 1024 * 1024;

// The vitest flavour: one test per check. Smaller bodies than the 256 MiB default keep it fast;
// the memory limit stays well under the body so that buffering would still be caught.
describeConformance(() => requestId(), {
  test: { describe, it },
  title: "requestId() conformance",
  channels: [REQUEST_ID_ASSIGNED_CHANNEL],
  bodySize: 64 * MiB,
  memoryLimit: 32 * MiB,
});
