import { Readable } from "node:stream";
import { text } from "node:stream/consumers";
import { describe, expect, it } from "vitest";
import type { BodyWriter } from "./cache-store.ts";
import type { TeeOutcome } from "./tee.ts";
import { teeToStore } from "./tee.ts";

function recordingWriter(): BodyWriter & { bytes: number; aborted: boolean } {
  const w = {
    bytes: 0,
    aborted: false,
    write(chunk: Uint8Array) {
      w.bytes += chunk.length;
      return true;
    },
    drain: () => Promise.resolve(),
    commit: () => Promise.resolve(undefined),
    abort() {
      w.aborted = true;
      return Promise.resolve();
    },
  };
  return w;
}

const chunks = (n: number, size: number) => Array.from({ length: n }, (_, i) => Buffer.alloc(size, i % 256));
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("teeToStore", () => {
  it("lets the source run at most maxLag ahead of a caller that does not read", async () => {
    const writer = recordingWriter();
    const source = Readable.from(chunks(64, 1024), { objectMode: false });
    const out = teeToStore(source, writer, 4096, () => {});
    for (let i = 0; i < 20; i++) await tick();
    // maxLag plus the chunk that crossed it.
    expect(writer.bytes).toBeLessThanOrEqual(4096 + 1024);
    expect(writer.bytes).toBeGreaterThan(0);
    expect((await text(out)).length).toBe(64 * 1024);
    expect(writer.bytes).toBe(64 * 1024);
  });

  it("pauses the source while the store asks to drain", async () => {
    let release!: () => void;
    const writer = recordingWriter();
    writer.write = (chunk) => {
      writer.bytes += chunk.length;
      return false;
    };
    writer.drain = () => new Promise<void>((resolve) => (release = resolve));
    const source = Readable.from(chunks(8, 1024), { objectMode: false });
    const out = teeToStore(source, writer, 1 << 20, () => {});
    out.resume();
    for (let i = 0; i < 10; i++) await tick();
    expect(writer.bytes).toBe(1024);
    release();
    for (let i = 0; i < 10; i++) await tick();
    expect(writer.bytes).toBe(2048);
    out.destroy();
  });

  it("reports an incomplete outcome when the caller gives up, and complete with the size at the end", async () => {
    const outcomes: TeeOutcome[] = [];
    const cut = teeToStore(Readable.from(chunks(64, 1024)), recordingWriter(), 1024, (o) => outcomes.push(o));
    for await (const _ of cut) break;
    const whole = teeToStore(Readable.from(chunks(4, 10)), recordingWriter(), 1024, (o) => outcomes.push(o));
    await text(whole);
    expect(outcomes).toEqual([{ complete: false }, { complete: true, size: 40 }]);
  });

  it("fails the caller's stream and reports incomplete when the source fails", async () => {
    const outcomes: TeeOutcome[] = [];
    const source = new Readable({
      read() {
        this.destroy(new Error("connection reset"));
      },
    });
    const out = teeToStore(source, recordingWriter(), 1024, (o) => outcomes.push(o));
    await expect(text(out)).rejects.toThrow("connection reset");
    expect(outcomes).toEqual([{ complete: false }]);
  });
});
