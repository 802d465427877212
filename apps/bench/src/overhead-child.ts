// One measurement for overhead.ts, in a fresh process: one client (so every call site sees only its
// own middleware, as in an application with one client), warmed up, then CPU per call.
import { createClient, type Middleware } from "@switchyard/core";
import { allSevenAsUsersConfigure, allSevenPlugins } from "./all-plugins.ts";
import { fakeDispatcher } from "./fake-dispatcher.ts";

const { plugins, calls, config } = JSON.parse(process.argv[2]!) as {
  plugins: string[] | "all";
  calls: number;
  config?: "bench" | "users";
};
const origin = "http://127.0.0.1:8080";
const all = config === "users" ? allSevenAsUsersConfigure() : allSevenPlugins(origin);
const middleware: Middleware[] = plugins === "all" ? all : all.filter((m) => plugins.includes(m.name));
const client = createClient({ dispatcher: fakeDispatcher, middleware });
for (let i = 0; i < Math.min(50_000, calls); i++) await (await client.request(`${origin}/`)).discard();
const cpu0 = process.cpuUsage();
for (let i = 0; i < calls; i++) await (await client.request(`${origin}/`)).discard();
const cpu = process.cpuUsage(cpu0);
await client.close();
process.send!(((cpu.user + cpu.system) * 1000) / calls);
