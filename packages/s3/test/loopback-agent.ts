import type { LookupAddress, LookupOptions } from "node:dns";
import { Agent } from "undici";

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * An undici Agent that resolves every host name to 127.0.0.1, so virtual-hosted URLs such as
 * `http://bucket.s3.amazonaws.com:PORT/key` reach the local peer with their real Host header
 * (`*.localhost` does not resolve here). Nothing ever leaves loopback.
 */
export function loopbackAgent(): Agent {
  const lookup = (_host: string, options: LookupOptions, callback: LookupCallback) => {
    if (options.all) callback(null, [{ address: "127.0.0.1", family: 4 }]);
    else callback(null, "127.0.0.1", 4);
  };
  return new Agent({ connect: { lookup } as never });
}
