// How mirror cooperates with plugins it never imports, through core only: an error with core's
// CIRCUIT_OPEN_CODE (a breaker that failed fast) and a second, concurrent pass of the same call
// (a hedge). The stand-ins below are the smallest middleware that behave that way.
import type { HttpRequest, Middleware } from "@switchyard/core";
import { CIRCUIT_OPEN_CODE, Context, createClient, SwitchyardError } from "@switchyard/core";
import type { TestServer } from "@switchyard/testkit/servers";
import { startTestServer } from "@switchyard/testkit/servers";
import { afterEach, describe, expect, it } from "vitest";
import { mirror } from "../src/mirror.ts";

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()!();
});

async function server(): Promise<TestServer> {
  const s = await startTestServer();
  cleanup.push(() => s.close());
  return s;
}

/** A breaker stand-in: fails fast, transient, with core's code, for the origins given. */
function openCircuit(origins: readonly string[]): Middleware {
  return {
    name: "open-circuit",
    stage: "send",
    handle: (request: HttpRequest, next) =>
      origins.includes(request.origin)
        ? Promise.reject(
            new SwitchyardError(CIRCUIT_OPEN_CODE, `circuit open for ${request.origin}`, { transient: true }),
          )
        : next(request),
  };
}

describe("mirror with plugins it does not import", () => {
  it("tries the next mirror at once, without its failover delay, past an open circuit", async () => {
    const a = await server();
    const b = await server();
    b.route("/pkgs/*", { body: "from b" });
    const delays: number[] = [];
    const client = createClient({
      middleware: [
        openCircuit([a.origin]),
        mirror({
          mirrors: { "https://origin.invalid/pkgs": [`${a.origin}/pkgs`, `${b.origin}/pkgs`] },
          delay: (n) => {
            delays.push(n);
            return 1000;
          },
        }),
      ],
    });
    cleanup.push(() => client.destroy());
    const res = await client.request("https://origin.invalid/pkgs/x");
    expect(await res.text()).toBe("from b");
    expect(delays).toEqual([]);
    expect(a.requests).toHaveLength(0);
    expect(a.connections).toBe(0);
    // Counted as a failure of that mirror: the next call tries b first.
    const pool = (
      client.middleware.find((m) => m.name === "mirror") as ReturnType<typeof mirror>
    ).snapshot()[0]!;
    expect(pool.mirrors[0]).toMatchObject({ failures: 1 });
  });

  it("sends a concurrent pass of the same call to a mirror the first pass is not waiting on", async () => {
    const slow = await server();
    const fast = await server();
    slow.route("/pkgs/*", { delayMs: 20_000, body: "slow" });
    fast.route("/pkgs/*", { body: "fast" });
    // A hedge stand-in: the call's second pass starts once the first has reached the slow mirror.
    const second: Middleware = {
      name: "second-pass",
      stage: "policy",
      async handle(request, next) {
        const controller = new AbortController();
        const first = next(request.with({ signal: controller.signal })).catch(() => undefined);
        for (let i = 0; i < 5000 && slow.requests.length === 0; i++)
          await new Promise((r) => setTimeout(r, 1));
        const res = await next(request);
        controller.abort();
        await first;
        return res;
      },
    };
    const client = createClient({
      middleware: [
        second,
        mirror({
          mirrors: { "https://origin.invalid/pkgs": [`${slow.origin}/pkgs`, `${fast.origin}/pkgs`] },
        }),
      ],
    });
    cleanup.push(() => client.destroy());
    const context = new Context();
    const res = await client.request("https://origin.invalid/pkgs/x", { context });
    expect(await res.text()).toBe("fast");
    expect(slow.requests).toHaveLength(1);
    expect(fast.requests).toHaveLength(1);
  });
});
