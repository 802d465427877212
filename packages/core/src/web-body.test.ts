import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { byteStream, NodeByteSource, toWebStream } from "./web-body.ts";

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("toWebStream", () => {
  it("never touches the controller after a cancel, whatever the source does next", async () => {
    const errors: unknown[] = [];
    const onUncaught = (error: unknown) => errors.push(error);
    process.on("uncaughtException", onUncaught);
    try {
      for (const next of ["end", "error", "destroy", "data"] as const) {
        const source = new PassThrough();
        source.write("first");
        const stream = toWebStream(source, { cancel: () => {} });
        const reader = stream.getReader();
        expect(Buffer.from((await reader.read()).value!).toString()).toBe("first");
        await reader.cancel();
        if (next === "end") source.end("late");
        else if (next === "error") source.destroy(new Error("late failure"));
        else if (next === "destroy") source.destroy();
        else source.write("late data");
        await tick();
        expect(await reader.read()).toEqual({ done: true, value: undefined });
      }
    } finally {
      process.off("uncaughtException", onUncaught);
    }
    expect(errors).toEqual([]);
  });

  it("errors with what the hook makes of a failure, and ends on a destroy without error", async () => {
    const failing = new PassThrough();
    const stream = toWebStream(failing, { error: (e) => new TypeError("terminated", { cause: e }) });
    const reading = stream.getReader().read();
    failing.destroy(new Error("reset"));
    await expect(reading).rejects.toMatchObject({ name: "TypeError", message: "terminated" });
    const cut = new PassThrough();
    const cutReading = toWebStream(cut).getReader().read();
    cut.destroy();
    await expect(cutReading).rejects.toThrow(/destroyed before it ended/);
  });

  it("reads nothing before the first read, so a whole-body reader can take the source over", async () => {
    const source = new PassThrough();
    source.end("whole body");
    const byteSource = new NodeByteSource(source, {});
    const stream = byteStream(byteSource);
    await tick();
    expect(source.readableFlowing).not.toBe(true);
    const reader = stream.getReader();
    expect(byteSource.takeover()).toBe(source);
    expect(await reader.read()).toEqual({ done: true, value: undefined });
    // Once reading has begun, there is nothing to take over.
    const other = new NodeByteSource(new PassThrough().end("x") as PassThrough, {});
    const otherReader = byteStream(other).getReader();
    await otherReader.read();
    expect(other.takeover()).toBeUndefined();
  });

  it("pauses the source while more than 64 KiB wait unread (backpressure)", async () => {
    const source = new PassThrough({ highWaterMark: 16 * 1024 });
    const reader = toWebStream(source).getReader();
    const first = reader.read();
    for (let i = 0; i < 16; i++) source.write(Buffer.alloc(16 * 1024));
    await first;
    for (let i = 0; i < 20; i++) await tick();
    // 256 KiB written, one chunk read: at most 64 KiB (plus the chunk that crossed it) moved into
    // the web stream's queue; the rest waits in the paused source.
    expect(source.isPaused()).toBe(true);
    expect(source.readableLength + source.writableLength).toBeGreaterThanOrEqual(
      256 * 1024 - 16 * 1024 - 80 * 1024,
    );
    await reader.cancel();
  });
});
