import dns, { type LookupAddress, type LookupOptions } from "node:dns";

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * A DNS lookup that knows one name: `localhost` is 127.0.0.1 (the WPT server's host); every other
 * name fails without asking any resolver. The WPT files mention hosts such as example.com; this keeps
 * both implementations from ever contacting anything but loopback.
 */
export function loopbackLookup(
  hostname: string,
  options: LookupOptions | LookupCallback,
  callback?: LookupCallback,
): void {
  const cb = (typeof options === "function" ? options : callback) as LookupCallback;
  const all = typeof options === "object" && options.all === true;
  if (hostname !== "localhost" && hostname !== "127.0.0.1") {
    const err: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname} (loopback only)`);
    err.code = "ENOTFOUND";
    process.nextTick(cb, err, "", 4);
    return;
  }
  if (all) process.nextTick(cb, null, [{ address: "127.0.0.1", family: 4 }]);
  else process.nextTick(cb, null, "127.0.0.1", 4);
}

/**
 * Makes every name lookup of this thread go through {@link loopbackLookup}: `net.connect` asks
 * `dns.lookup` at connect time, so both Node's fetch (its own bundled undici) and client.fetch's
 * undici reach only 127.0.0.1. The WPT files name no IP address other than loopback.
 */
export function restrictToLoopback(): void {
  (dns as { lookup: unknown }).lookup = loopbackLookup;
}
