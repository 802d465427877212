import { connect } from "node:net";
import { describe, expect, it } from "vitest";
import { loopbackLookup } from "./loopback-agent.ts";
import { locateUndiciCheckout } from "./undici-checkout.ts";
import { startWptServer } from "./wpt-server.ts";

describe("loopbackLookup", () => {
  it("answers localhost with 127.0.0.1, in both callback shapes", async () => {
    const one = await new Promise((resolve) =>
      loopbackLookup("localhost", {}, (_e, a, f) => resolve([a, f])),
    );
    expect(one).toEqual(["127.0.0.1", 4]);
    const all = await new Promise((resolve) =>
      loopbackLookup("localhost", { all: true }, (_e, a) => resolve(a)),
    );
    expect(all).toEqual([{ address: "127.0.0.1", family: 4 }]);
  });

  it("fails any other name with ENOTFOUND without asking a resolver", async () => {
    const err = await new Promise((resolve) => loopbackLookup("example.com", {}, (e) => resolve(e)));
    expect(err).toMatchObject({ code: "ENOTFOUND" });
  });
});

describe("undici's WPT server as the runner starts it", () => {
  it("listens on 127.0.0.1 only", async (ctx) => {
    const checkout = locateUndiciCheckout();
    if (!checkout.found) return ctx.skip(checkout.reason);
    const server = await startWptServer(checkout.dir);
    try {
      const port = Number(new URL(server.url).port);
      const reach = (host: string) =>
        new Promise<boolean>((resolve) => {
          const socket = connect({ host, port }, () => {
            socket.destroy();
            resolve(true);
          });
          socket.once("error", () => resolve(false));
        });
      expect(await reach("127.0.0.1")).toBe(true);
      expect(await reach("::1")).toBe(false);
    } finally {
      await server.stop();
    }
    expect(server.died()).toBeUndefined();
  });
});
