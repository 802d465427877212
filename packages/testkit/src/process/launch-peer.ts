import { freePort } from "./free-port.ts";
import { ownsListeningSocket } from "./listening-socket-owner.ts";
import { type PeerProcess, type SpawnPeerOptions, spawnPeer } from "./peer-process.ts";
import { waitForPort } from "./wait-for-port.ts";

/** A peer failed to start; `addressInUse` tells whether its port was taken (then a retry may help). */
export class PeerStartError extends Error {
  override name = "PeerStartError" as const;
  readonly code = "SWITCHYARD_ERR_PEER_START" as const;
  readonly addressInUse: boolean;
  constructor(message: string, addressInUse: boolean, options?: ErrorOptions) {
    super(message, options);
    this.addressInUse = addressInUse;
  }
}

const ADDRESS_IN_USE = /address already in use|EADDRINUSE|\(98:/i;

/** Options of {@link launchPeer}. */
export interface LaunchPeerOptions extends SpawnPeerOptions {
  /** Port the peer was configured to listen on (127.0.0.1). */
  port: number;
  /** Give up waiting for the port after this many milliseconds. @default 10000 */
  readyTimeoutMs?: number;
}

/**
 * Spawns a peer and resolves once its port accepts connections, polling the port (no sleeps).
 * Rejects with {@link PeerStartError} (and kills the child) if it exits first or never listens.
 */
export async function launchPeer(options: LaunchPeerOptions): Promise<PeerProcess> {
  const peer = spawnPeer(options);
  const gone = new AbortController();
  void peer.exited.then(() => gone.abort(new Error(`${options.name} exited`)));
  try {
    await waitForPort(options.port, { timeoutMs: options.readyTimeoutMs ?? 10_000, signal: gone.signal });
  } catch (cause) {
    await peer.stop({ signal: "SIGKILL" });
    const output = peer.lines.slice(-20).join("\n");
    const exit = await peer.exited;
    throw new PeerStartError(
      `${options.name} did not start on 127.0.0.1:${options.port} (exit code ${exit.code}, signal ${exit.signal}); ` +
        `last output:\n${output}`,
      ADDRESS_IN_USE.test(output),
      { cause },
    );
  }
  // The port answered: make sure our child answers, not a process that took the port first.
  const owner = ownsListeningSocket(peer.pid, options.port);
  if (!peer.isRunning() || owner === false || ADDRESS_IN_USE.test(peer.lines.join("\n"))) {
    await peer.stop({ signal: "SIGKILL" });
    throw new PeerStartError(
      `${options.name} lost the race for port ${options.port} to another process`,
      true,
    );
  }
  return peer;
}

/** Options of {@link startOnFreePort}. */
export interface StartOnFreePortOptions {
  /** Attempts with a new free port each when the port turned out to be in use. @default 5 */
  attempts?: number;
}

/**
 * Calls `start` with a free port, and again with a new one while it fails with
 * {@link PeerStartError}`.addressInUse` (bounded by `attempts`).
 */
export async function startOnFreePort<T>(
  start: (port: number) => Promise<T>,
  options: StartOnFreePortOptions = {},
): Promise<T> {
  const attempts = options.attempts ?? 5;
  let last: unknown;
  for (let attempt = 0; attempt < attempts; attempt++) {
    try {
      return await start(await freePort());
    } catch (error) {
      if (!(error instanceof PeerStartError && error.addressInUse)) throw error;
      last = error;
    }
  }
  throw last;
}
