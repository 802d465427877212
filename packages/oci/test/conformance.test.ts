import { describeConformance } from "@switchyard/testkit/conformance";
import { describe, it } from "vitest";
import { oci } from "../src/oci.ts";

// The suite's server speaks plain HTTP, not the registry API, so these checks hold oci to the
// rules on the traffic it passes through (every non-oci: URL); its own requests are covered by
// the registry tests next to this file.
describeConformance(() => oci(), {
  test: { describe, it },
  title: "oci conformance (pass-through traffic)",
  channels: [
    "switchyard:oci:probe",
    "switchyard:oci:token",
    "switchyard:oci:resolve",
    "switchyard:oci:redirect",
  ],
});
