import diagnosticsChannel from "node:diagnostics_channel";
import type { IncomingMessage, ServerResponse } from "node:http";
import { attemptKey, createClient, SocketError } from "@switchyard/core";
import { fakeClock } from "@switchyard/testkit/clock";
import { afterEach, describe, expect, it } from "vitest";
import { ResumeError } from "../src/errors.ts";
import { retry } from "../src/retry.ts";
import type { LocalServer } from "./local-server.ts";
import { patternBytes, sha256, startLocalServer } from "./local-server.ts";

const BODY = patternBytes(1024 * 1024);
const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()!();
});

interface Script {
  /** Validator headers sent with every answer. */
  readonly validators?: Record<string, string>;
  /** For answer i: cut the connection after this many body bytes (undefined: send it all). */
  readonly cutAfter?: ReadonlyArray<number | undefined>;
  /** For answer i: ignore Range and send the whole body with 200. */
  readonly ignoreRange?: ReadonlyArray<boolean>;
  /** For answer i: the Content-Range to claim instead of the true one. */
  readonly lieRange?: ReadonlyArray<string | undefined>;
}

/** A file server with Range + If-Range that can be told to cut answers short. */
async function fileServer(script: Script): Promise<LocalServer> {
  const validators = script.validators ?? { etag: '"v1"' };
  const s = await startLocalServer((req: IncomingMessage, res: ServerResponse, index: number) => {
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? "");
    const ifRange = req.headers["if-range"] as string | undefined;
    const validatorOk = ifRange === undefined || Object.values(validators).includes(ifRange);
    let start = 0;
    const headers: Record<string, string> = { "accept-ranges": "bytes", ...validators };
    if (range && validatorOk && !script.ignoreRange?.[index]) {
      start = Number(range[1]);
      res.statusCode = 206;
      headers["content-range"] =
        script.lieRange?.[index] ?? `bytes ${start}-${BODY.length - 1}/${BODY.length}`;
    } else {
      res.statusCode = 200;
    }
    const slice = BODY.subarray(start);
    headers["content-length"] = String(slice.length);
    res.writeHead(res.statusCode, headers);
    const cut = script.cutAfter?.[index];
    if (cut === undefined) {
      res.end(slice);
      return;
    }
    res.write(slice.subarray(0, cut), () => res.socket?.destroy());
  });
  cleanup.push(() => s.close());
  return s;
}

function resumingClient(options: { maxRetries?: number } = {}) {
  const clock = fakeClock();
  const c = createClient({
    middleware: [retry({ resume: true, now: clock.now, sleep: clock.sleep, ...options })],
  });
  cleanup.push(() => c.destroy());
  return { client: c, clock };
}

describe("retry resume", () => {
  it("resumes a download cut in the middle with Range + If-Range, transparently", async () => {
    const s = await fileServer({ cutAfter: [300_000] });
    const events: Array<{ offset: number; attempt: number }> = [];
    const listener = (m: unknown) => events.push(m as { offset: number; attempt: number });
    diagnosticsChannel.subscribe("switchyard:retry:resume", listener);
    cleanup.push(async () => {
      diagnosticsChannel.unsubscribe("switchyard:retry:resume", listener);
    });
    const { client: c } = resumingClient();
    const res = await c.request(s.url("/file.bin"));
    const bytes = await res.bytes();
    expect(bytes.length).toBe(BODY.length);
    expect(sha256(bytes)).toBe(sha256(BODY));
    expect(s.requests).toHaveLength(2);
    const offset = events[0]!.offset;
    expect(offset).toBeGreaterThan(0);
    expect(offset).toBeLessThanOrEqual(300_000);
    expect(s.requests[1]!.headers.range).toBe(`bytes=${offset}-`);
    expect(s.requests[1]!.headers["if-range"]).toBe('"v1"');
    expect(res.context.get(attemptKey)).toBe(2);
  });

  it("resumes more than once when the continuation is cut too", async () => {
    const s = await fileServer({ cutAfter: [200_000, 200_000, 200_000] });
    const { client: c } = resumingClient();
    const bytes = await (await c.request(s.url())).bytes();
    expect(sha256(bytes)).toBe(sha256(BODY));
    expect(s.requests).toHaveLength(4);
  });

  it("resumes with a Last-Modified validator that counts as strong", async () => {
    const s = await fileServer({
      validators: { "last-modified": "Sun, 06 Nov 1994 08:49:37 GMT", date: "Mon, 07 Nov 1994 08:49:37 GMT" },
      cutAfter: [100_000],
    });
    const { client: c } = resumingClient();
    const bytes = await (await c.request(s.url())).bytes();
    expect(sha256(bytes)).toBe(sha256(BODY));
    expect(s.requests[1]!.headers["if-range"]).toBe("Sun, 06 Nov 1994 08:49:37 GMT");
  });

  it("fails clearly instead of duplicating bytes when the server answers the range with 200", async () => {
    const s = await fileServer({ cutAfter: [300_000], ignoreRange: [false, true] });
    const { client: c } = resumingClient();
    const res = await c.request(s.url("/file.bin"));
    const error = await res.bytes().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResumeError);
    expect((error as ResumeError).code).toBe("SWITCHYARD_ERR_RESUME");
    expect((error as ResumeError).message).toMatch(
      new RegExp(
        `^GET ${s.origin}/file.bin: cannot resume the download at byte \\d+: the server answered the range request with 200`,
      ),
    );
    expect(s.requests).toHaveLength(2);
  });

  it("fails when the 206 does not continue at the right byte", async () => {
    const s = await fileServer({
      cutAfter: [300_000],
      lieRange: [undefined, `bytes 0-${BODY.length - 1}/${BODY.length}`],
    });
    const { client: c } = resumingClient();
    const error = await (await c.request(s.url())).bytes().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResumeError);
    expect((error as Error).message).toMatch(/the 206 answer starts at byte 0, not \d+/);
  });

  it("gives up after maxRetries resumes with the body error", async () => {
    const s = await fileServer({ cutAfter: [100_000, 100, 100, 100] });
    const { client: c } = resumingClient({ maxRetries: 2 });
    const error = await (await c.request(s.url())).bytes().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SocketError);
    expect(s.requests).toHaveLength(3);
  });

  it("does not resume without a strong validator (weak ETag)", async () => {
    const s = await fileServer({ validators: { etag: 'W/"v1"' }, cutAfter: [300_000] });
    const { client: c } = resumingClient();
    const error = await (await c.request(s.url())).bytes().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SocketError);
    expect(s.requests).toHaveLength(1);
  });

  it("does not resume unless asked", async () => {
    const s = await fileServer({ cutAfter: [300_000] });
    const c = createClient({ middleware: [retry()] });
    cleanup.push(() => c.destroy());
    const error = await (await c.request(s.url())).bytes().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SocketError);
    expect(s.requests).toHaveLength(1);
  });

  it("destroying the body mid-way stops it without resuming", async () => {
    const s = await fileServer({});
    const { client: c } = resumingClient();
    const res = await c.request(s.url());
    const body = res.body;
    await new Promise<void>((resolve) => body.once("data", () => resolve()));
    body.destroy();
    await new Promise((r) => setTimeout(r, 20));
    expect(s.requests).toHaveLength(1);
  });
});
