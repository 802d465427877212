import type { Readable } from "node:stream";

/**
 * Reads a body to its end without keeping it. Every contender that exposes a Node stream reads it
 * this way, so at 1 MiB all of them move every byte (undici's `dump()` and core's `discard()` stop
 * after 128 KiB and close the socket, which is cheaper than reading and would not be a fair race).
 */
export function drain(body: Readable): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    body.on("error", reject).on("end", resolve).resume();
  });
}
