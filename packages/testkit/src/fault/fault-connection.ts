import { connect, type Socket } from "node:net";
import { type FaultMode, planOf } from "./fault-mode.ts";
import { Pump, type PumpControl } from "./pump.ts";

/** One client connection through the fault proxy, as tests see it. */
export interface FaultConnection {
  /** Order of acceptance, from 1. */
  readonly id: number;
  /** The client's port (matches the server's `remotePort` only without the proxy; here it identifies the client). */
  readonly remotePort: number | undefined;
  /** The mode in force. */
  readonly mode: FaultMode;
  /** False once the connection was reset, closed or destroyed. */
  readonly open: boolean;
  /** Client-to-target bytes forwarded. */
  readonly bytesToTarget: number;
  /** Target-to-client bytes forwarded. */
  readonly bytesToClient: number;
  /** Changes this connection's mode now: "reset" and "close" act at once, others from the next chunk. */
  setMode(mode: FaultMode): void;
}

/** Where a connection reports its traffic and its end. */
export interface ConnectionHooks {
  readonly target: { readonly host: string; readonly port: number };
  onBytes(direction: "toTarget" | "toClient", bytes: number): void;
  onClosed(connection: ProxyConnection): void;
}

/** How long a FIN-closed client may keep its side open before it is destroyed. */
const LINGER_MS = 2_000;

/** A proxied connection: the client socket, the target socket once opened, and a pump each way. */
export class ProxyConnection implements FaultConnection {
  readonly id: number;
  readonly remotePort: number | undefined;
  readonly #client: Socket;
  readonly #hooks: ConnectionHooks;
  readonly #done = new AbortController();
  readonly #up: Pump;
  readonly #down: Pump;
  #target: Socket | undefined;
  #mode: FaultMode;
  #linger: NodeJS.Timeout | undefined;

  constructor(id: number, client: Socket, mode: FaultMode, hooks: ConnectionHooks) {
    this.id = id;
    this.remotePort = client.remotePort;
    this.#client = client;
    this.#hooks = hooks;
    this.#mode = mode;
    client.setNoDelay(true);
    client.on("error", () => {});
    client.once("close", () => this.#finish());
    const signal = this.#done.signal;
    this.#up = new Pump(
      () => this.#target,
      {
        held: () => this.#mode === "blackhole" || !this.#target,
        delayMs: () => planOf(this.#mode)?.delayMs ?? 0,
        bytesPerSec: () => planOf(this.#mode)?.bytesPerSec,
        cutAfter: () => undefined,
        onCut: () => {},
        onBytes: (bytes) => hooks.onBytes("toTarget", bytes),
      },
      signal,
    );
    this.#up.attach(client);
    // Reads from the target, which exists only once connected: the pump attaches to it then.
    this.#down = new Pump(() => this.#client, this.#downControl(), signal);
    this.setMode(mode);
  }

  /** False once the connection was reset, closed or destroyed (its sockets may take a moment to go). */
  get open(): boolean {
    return !this.#done.signal.aborted;
  }

  get mode(): FaultMode {
    return this.#mode;
  }

  get bytesToTarget(): number {
    return this.#up.forwarded;
  }

  get bytesToClient(): number {
    return this.#down.forwarded;
  }

  setMode(mode: FaultMode): void {
    this.#mode = mode;
    if (this.#done.signal.aborted) return;
    if (mode === "reset") this.reset();
    else if (mode === "close") this.#closeClient();
    else {
      if (mode !== "blackhole" && !this.#target) this.#connectTarget();
      this.#up.kick();
      this.#down.kick();
    }
  }

  /** Resets both sides at once. */
  reset(): void {
    this.#done.abort();
    this.#client.resetAndDestroy();
    this.#target?.destroy();
  }

  /** Destroys both sides (proxy shutdown). */
  destroy(): void {
    this.#done.abort();
    this.#client.destroy();
    this.#target?.destroy();
  }

  #downControl(): PumpControl {
    return {
      held: () => this.#mode === "blackhole" || !this.#target,
      delayMs: () => planOf(this.#mode)?.delayMs ?? 0,
      bytesPerSec: () => planOf(this.#mode)?.bytesPerSec,
      cutAfter: () => {
        const plan = planOf(this.#mode);
        return plan?.resetAfterBytes ?? plan?.closeAfterBytes;
      },
      onCut: () => {
        if (planOf(this.#mode)?.resetAfterBytes !== undefined) this.reset();
        else this.#closeClient();
      },
      onBytes: (bytes: number) => this.#hooks.onBytes("toClient", bytes),
    };
  }

  #connectTarget(): void {
    const target = connect({ host: this.#hooks.target.host, port: this.#hooks.target.port });
    this.#target = target;
    target.setNoDelay(true);
    // A target that fails or resets is passed on to the client as a reset.
    target.on("error", () => this.reset());
    this.#down.attach(target);
  }

  /** Sends FIN to the client after what was written, drops whatever else comes, then lets go. */
  #closeClient(): void {
    this.#done.abort();
    this.#target?.destroy();
    this.#client.end();
    this.#client.resume();
    this.#linger = setTimeout(() => this.#client.destroy(), LINGER_MS);
  }

  #finish(): void {
    clearTimeout(this.#linger);
    this.#done.abort();
    this.#target?.destroy();
    this.#hooks.onClosed(this);
  }
}
