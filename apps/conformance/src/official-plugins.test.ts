import { describeConformance } from "@switchyard/testkit/conformance";
import { describe, it } from "vitest";
import { OFFICIAL_PLUGINS } from "./official-plugins.ts";

// Each official plugin under the suite, composed with every other official plugin as companions.
for (const [name, plugin] of Object.entries(OFFICIAL_PLUGINS)) {
  const companions = Object.fromEntries(
    Object.entries(OFFICIAL_PLUGINS)
      .filter(([other]) => other !== name)
      .map(([other, p]) => [other, p.factory]),
  );
  describeConformance(plugin.factory, {
    test: { describe, it },
    title: `@switchyard/${name} conformance`,
    channels: plugin.channels,
    companions,
  });
}
