// The framework-free flavour of the conformance suite: `node test/run-conformance.ts`
// (Node >= 22.18 runs TypeScript directly). Exits 1 when a check fails.
import { formatConformanceResult, runConformance } from "@switchyard/testkit/conformance";
import { REQUEST_ID_ASSIGNED_CHANNEL, requestId } from "../src/index.ts";

const MiB = 1024 * 1024;
const bodySize = Number(process.env.CONFORMANCE_BODY_MIB ?? 256) * MiB;

const result = await runConformance(() => requestId(), {
  channels: [REQUEST_ID_ASSIGNED_CHANNEL],
  bodySize,
  memoryLimit: Math.min(64 * MiB, bodySize / 2),
});
console.log(formatConformanceResult(result));
process.exitCode = result.failed.length === 0 ? 0 : 1;
