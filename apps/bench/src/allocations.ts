// Bytes allocated per call by core alone and with all seven plugins, over the fake dispatcher: V8's
// sampling heap profiler with collected objects kept, so short-lived garbage counts too. Allocation
// per request is what young-generation GC pays for under load. `node src/allocations.ts [calls]`;
// add `--no-turbo-inlining` to see allocations under the function that makes them.
import { Session } from "node:inspector/promises";
import { type Client, createClient } from "@switchyard/core";
import { allSevenPlugins } from "./all-plugins.ts";
import { fakeDispatcher } from "./fake-dispatcher.ts";

interface ProfileNode {
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly selfSize: number;
  readonly children: readonly ProfileNode[];
}

const calls = Number(process.argv[2] ?? 100_000);
const origin = "http://127.0.0.1:8080";
const session = new Session();
session.connect();

async function sample(client: Client): Promise<Map<string, number>> {
  for (let i = 0; i < Math.min(20_000, calls); i++) await (await client.request(`${origin}/`)).discard();
  await session.post("HeapProfiler.startSampling", {
    samplingInterval: 64,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  for (let i = 0; i < calls; i++) await (await client.request(`${origin}/`)).discard();
  const { profile } = (await session.post("HeapProfiler.stopSampling")) as unknown as {
    profile: { head: ProfileNode };
  };
  const bySite = new Map<string, number>();
  const walk = (node: ProfileNode): void => {
    const { functionName, url, lineNumber } = node.callFrame;
    const site = `${functionName || "(anonymous)"} ${url.split("/").slice(-2).join("/")}:${lineNumber + 1}`;
    if (node.selfSize > 0) bySite.set(site, (bySite.get(site) ?? 0) + node.selfSize / calls);
    for (const child of node.children) walk(child);
  };
  walk(profile.head);
  return bySite;
}

for (const [name, middleware] of [
  ["core", []],
  ["all seven", allSevenPlugins(origin)],
] as const) {
  const client = createClient({ dispatcher: fakeDispatcher, middleware: [...middleware] });
  const bySite = await sample(client);
  await client.close();
  const total = [...bySite.values()].reduce((a, b) => a + b, 0);
  console.log(`\n${name}: ${Math.round(total)} bytes per call`);
  for (const [site, bytes] of [...bySite].sort((a, b) => b[1] - a[1]).slice(0, 12)) {
    console.log(`${String(Math.round(bytes)).padStart(6)}  ${site}`);
  }
}
session.disconnect();
