// The unread-body family: a response whose body is left unread (the everyday `if (!res.ok) throw`),
// read half-way, or collected by the garbage collector unread, through every plugin stack, then
// the client is closed, destroyed, or closed and destroyed while the close is pending. Each case
// ends bounded (no hang), with no unhandled rejection, no socket or timer left open (the server
// holds no connection), and a reader of a released body learns why (ClientClosedError).

import v8 from "node:v8";
import vm from "node:vm";
import { type Client, ClientClosedError, type HttpResponse } from "@switchyard/core";
import { startTestServer, type TestServer } from "@switchyard/testkit/servers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bounded, guard } from "./harness/guard.ts";
import { MIRROR_PREFIX, REQUEST_PREFIX, STACK_NAMES, type StackName, stackClient } from "./harness/stacks.ts";

v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc") as () => void;

const MiB = 1024 * 1024;
/** Far more than socket buffers and a body's high-water mark: an unread body pauses the socket. */
const BIG = { size: 64 * MiB, seed: "unread-body" };
/** A grace period no bounded wait below reaches: only destroy() or the collector can free a body. */
const NEVER = 600_000;

type State = "unread" | "half-read" | "collected unread";
type Ending = "close" | "destroy" | "close, then destroy while it is pending";

const STATES: readonly State[] = ["unread", "half-read", "collected unread"];
const ENDINGS: readonly Ending[] = ["close", "destroy", "close, then destroy while it is pending"];

interface Held {
  /** The response, unless it was dropped for the collector. */
  readonly response: HttpResponse | undefined;
  /** Reads the next chunk of a half-read body. */
  readonly readMore: (() => Promise<unknown>) | undefined;
}

/** The status only: nothing on the caller's stack keeps the response. */
async function statusOnly(client: Client, url: string): Promise<number> {
  const res = await client.request(url);
  return res.status;
}

async function prepare(client: Client, url: string, state: State, srv: TestServer): Promise<Held> {
  if (state === "collected unread") {
    expect(await statusOnly(client, url)).toBe(404);
    await bounded(
      (async () => {
        for (let i = 0; i < 300 && srv.openConnections > 0; i++) {
          gc();
          await new Promise((r) => setTimeout(r, 10));
        }
      })(),
      10_000,
      "collection of the unread response",
    );
    // The body was released when its response was collected: the connection is gone.
    expect(srv.openConnections).toBe(0);
    return { response: undefined, readMore: undefined };
  }
  const response = await client.request(url);
  expect(response.status).toBe(404);
  if (state === "unread") return { response, readMore: undefined };
  const reader = response.body[Symbol.asyncIterator]();
  expect((await reader.next()).done).toBe(false);
  return { response, readMore: () => reader.next() };
}

async function end(client: Client, ending: Ending, state: State): Promise<void> {
  if (ending === "close") return client.close();
  if (ending === "destroy") return client.destroy();
  const closed = client.close();
  let settled = false;
  void closed.then(() => {
    settled = true;
  });
  await new Promise((r) => setImmediate(r));
  // Nothing releases a body still held before destroy() (the grace period is NEVER): close pends.
  if (state !== "collected unread") expect(settled).toBe(false);
  await client.destroy();
  await closed;
}

describe("unread-body family", () => {
  let srv: TestServer;

  beforeAll(async () => {
    srv = await startTestServer();
    srv.route("/warm", { body: "ok" });
    // Warm up: undici's timer wheel and lazily loaded modules exist before the first guard.
    for (const stack of STACK_NAMES) {
      const client = stackClient(stack, { origin: srv.origin });
      await (await client.request(`${srv.origin}/warm`)).text();
      await client.close();
    }
    await srv.waitForOpenConnections(0, 3000);
  });

  afterAll(async () => {
    await srv.close();
  });

  const cases = STATES.flatMap((state) =>
    ENDINGS.flatMap((ending) => STACK_NAMES.map((stack) => [state, ending, stack] as const)),
  );

  it.each(cases)("%s body, then %s (%s)", async (state: State, ending: Ending, stack: StackName) => {
    srv.reset();
    srv.route(`${REQUEST_PREFIX}/*`, { status: 404, body: BIG });
    srv.route(`${MIRROR_PREFIX}/*`, { status: 404, body: BIG });
    const watch = guard();
    const closeGraceMs = ending === "close" && state !== "collected unread" ? 50 : NEVER;
    const client = stackClient(stack, { origin: srv.origin }, { closeGraceMs });
    const held = await bounded(
      prepare(client, `${srv.origin}${REQUEST_PREFIX}/file`, state, srv),
      10_000,
      `${state} (${stack})`,
    );
    await bounded(end(client, ending, state), 10_000, `${ending} after a ${state} body (${stack})`);

    // A reader of a released body learns why instead of waiting for ever.
    if (held.readMore !== undefined) {
      await expect(bounded(held.readMore(), 5000, "reading on")).rejects.toBeInstanceOf(ClientClosedError);
    } else if (held.response !== undefined) {
      await expect(bounded(held.response.text(), 5000, "reading")).rejects.toBeInstanceOf(ClientClosedError);
    }
    await srv.waitForOpenConnections(0, 5000);
    const report = await watch.finish();
    expect(report.unhandled).toEqual([]);
    expect(report.leaked).toEqual({});
  });
});
