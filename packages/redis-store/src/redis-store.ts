import { randomUUID } from "node:crypto";
import {
  ChangeFanout,
  checkStateKey,
  checkStateStep,
  checkStateTtl,
  checkStateValue,
  InvalidOptionsError,
  type StateEntry,
  type StateLease,
  type StateStore,
  StateStoreError,
} from "@switchyard/core";
import { Cluster, Redis } from "ioredis";
import { openRedisClient, type RedisClient } from "./redis-client.ts";
import type { RedisScript } from "./redis-scripts.ts";
import * as scripts from "./redis-scripts.ts";

/** Options of {@link redisStore}. Give `url` or `client`. */
export interface RedisStoreOptions {
  /**
   * `redis://[user:password@]host:port[/db]` (or `rediss://` for TLS). With `cluster: true`, one or
   * more seed nodes of the cluster.
   */
  readonly url?: string | readonly string[];
  /**
   * An ioredis `Redis` or `Cluster` you configured yourself (TLS, Sentinel, retry strategy). The
   * store does not close it; it opens one duplicate connection for change notifications.
   */
  readonly client?: Redis | Cluster;
  /** Treat `url` as Redis Cluster seed nodes. @default false */
  readonly cluster?: boolean;
  /**
   * Prepended to every key and to the change channel, so several applications share one server.
   * Must not contain `{` or `}` (the store hash-tags the rest of the key).
   * @default "switchyard:"
   */
  readonly prefix?: string;
  /**
   * How long ioredis waits for a reply before failing a command, in milliseconds: the backstop
   * behind the plugins' own tens-of-milliseconds guard, so a hung server does not pile up commands.
   * @default 2000
   */
  readonly commandTimeoutMs?: number;
}

const NAME = "redis";

/**
 * A state store on Redis or Valkey, single node or Redis Cluster, through ioredis. Every operation
 * is one Lua script on the server (atomic however many clients race), TTLs are the server's own
 * expiry (PX / PTTL: the server's clock decides, so hosts with skewed clocks agree), every key is
 * `<prefix>{<key>}` (hash-tagged: all keys of one logical key share a Cluster slot), and every
 * write PUBLISHes its change from inside the script, so subscribers in every process hear it.
 *
 * @example
 * ```ts
 * import { redisStore } from "@switchyard/redis-store";
 * const stateStore = redisStore({ url: process.env.REDIS_URL });
 * const client = createClient({ middleware: [retryAfter({ stateStore })] });
 * ```
 */
export function redisStore(options: RedisStoreOptions): StateStore {
  if (typeof options !== "object" || options === null) {
    throw new InvalidOptionsError("redisStore() needs options: { url } or { client }");
  }
  const prefix = options.prefix ?? "switchyard:";
  if (typeof prefix !== "string" || /[{}]/.test(prefix)) {
    throw new InvalidOptionsError("redisStore(): prefix must be a string without { or }");
  }
  const commandTimeoutMs = options.commandTimeoutMs ?? 2000;
  if (typeof commandTimeoutMs !== "number" || !(commandTimeoutMs > 0)) {
    throw new InvalidOptionsError(
      `redisStore(): commandTimeoutMs must be a positive number, got ${String(commandTimeoutMs)}`,
    );
  }
  if ((options.url === undefined) === (options.client === undefined)) {
    throw new InvalidOptionsError("redisStore() needs exactly one of url and client");
  }
  if (
    options.client !== undefined &&
    !(options.client instanceof Redis || options.client instanceof Cluster)
  ) {
    throw new InvalidOptionsError("redisStore(): client must be an ioredis Redis or Cluster");
  }
  const owned = options.client === undefined;
  const client: RedisClient =
    options.client ??
    openRedisClient(options.url as string | readonly string[], options.cluster ?? false, commandTimeoutMs);
  const channel = `${prefix}changes`;
  const fanout = new ChangeFanout();
  let subscriber: RedisClient | undefined;
  let closed = false;

  async function run(
    operation: string,
    script: RedisScript,
    key: string,
    args: (string | number)[],
  ): Promise<unknown> {
    if (closed) throw new StateStoreError(NAME, operation, "the store is closed");
    const redisKey = `${prefix}{${key}}`;
    const argv = [...args, channel, key];
    try {
      try {
        return await client.evalsha(script.sha, 1, redisKey, ...argv);
      } catch (error) {
        if (!String((error as Error)?.message).startsWith("NOSCRIPT")) throw error;
        return await client.eval(script.lua, 1, redisKey, ...argv);
      }
    } catch (error) {
      const message = String((error as Error)?.message ?? error);
      if (message.includes("SWITCHYARD_NOT_A_COUNTER")) {
        throw new StateStoreError(NAME, operation, "the entry at this key is not a counter", {
          cause: error,
        });
      }
      throw new StateStoreError(NAME, operation, `the server failed: ${(error as Error)?.name ?? "Error"}`, {
        cause: error,
        transient: true,
      });
    }
  }

  // Argument checks throw inside the async body, so they reject like every other failure.
  function checked<T>(body: () => Promise<T>): Promise<T> {
    return body();
  }

  function listen(): void {
    if (subscriber !== undefined) return;
    const sub: RedisClient = client instanceof Cluster ? client.duplicate() : client.duplicate();
    subscriber = sub;
    sub.on("error", () => {
      // Reconnects on its own; a lost change is allowed (delivery is at-most-once).
    });
    sub.on("message", (from: string, message: string) => {
      if (from !== channel) return;
      const kind = message.startsWith("d:") ? "delete" : "set";
      fanout.emit({ key: message.slice(2), kind });
    });
    sub.subscribe(channel).catch(() => {
      // Retried by ioredis on reconnect.
    });
  }

  return {
    name: NAME,
    get(key): Promise<StateEntry | undefined> {
      return checked(async () => {
        checkStateKey(NAME, "get", key);
        const reply = (await run("get", scripts.GET, key, [])) as [string, number] | null;
        return reply === null ? undefined : { value: reply[0], ttlMs: Math.max(1, Number(reply[1])) };
      });
    },
    set(key, value, ttlMs): Promise<void> {
      return checked(async () => {
        checkStateKey(NAME, "set", key);
        checkStateValue(NAME, "set", value);
        await run("set", scripts.SET, key, [value, checkStateTtl(NAME, "set", ttlMs)]);
      });
    },
    setIfAbsent(key, value, ttlMs): Promise<boolean> {
      return checked(async () => {
        checkStateKey(NAME, "setIfAbsent", key);
        checkStateValue(NAME, "setIfAbsent", value);
        const ttl = checkStateTtl(NAME, "setIfAbsent", ttlMs);
        return (await run("setIfAbsent", scripts.SET_IF_ABSENT, key, [value, ttl])) === 1;
      });
    },
    delete(key): Promise<void> {
      return checked(async () => {
        checkStateKey(NAME, "delete", key);
        await run("delete", scripts.DELETE, key, []);
      });
    },
    extendDeadline(key, inMs): Promise<number> {
      return checked(async () => {
        checkStateKey(NAME, "extendDeadline", key);
        const ttl = checkStateTtl(NAME, "extendDeadline", inMs);
        return Number(await run("extendDeadline", scripts.EXTEND_DEADLINE, key, [ttl]));
      });
    },
    increment(key, by, ttlMs): Promise<number> {
      return checked(async () => {
        checkStateKey(NAME, "increment", key);
        checkStateStep(NAME, "increment", by);
        const ttl = checkStateTtl(NAME, "increment", ttlMs);
        return Number(await run("increment", scripts.INCREMENT, key, [by, ttl]));
      });
    },
    acquireLease(key, ttlMs): Promise<StateLease | undefined> {
      return checked(async () => {
        checkStateKey(NAME, "acquireLease", key);
        const ttl = checkStateTtl(NAME, "acquireLease", ttlMs);
        const token = randomUUID();
        if ((await run("acquireLease", scripts.SET_IF_ABSENT, key, [token, ttl])) !== 1) return undefined;
        return {
          key,
          release: async (): Promise<void> => {
            if (!closed) await run("release", scripts.RELEASE, key, [token]);
          },
        };
      });
    },
    subscribe(prefixOfKeys, listener): () => void {
      if (closed) throw new StateStoreError(NAME, "subscribe", "the store is closed");
      const stop = fanout.add(prefixOfKeys, listener);
      listen();
      return stop;
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      fanout.clear();
      const quits: Promise<unknown>[] = [];
      if (subscriber !== undefined) quits.push(quit(subscriber));
      if (owned) quits.push(quit(client));
      await Promise.all(quits);
    },
  };
}

/** QUIT when connected (flushes pending replies), disconnect otherwise; never rejects. */
async function quit(client: RedisClient): Promise<void> {
  if (client.status === "ready") {
    try {
      await Promise.race([client.quit(), new Promise((resolve) => setTimeout(resolve, 500).unref())]);
    } catch {
      // fall through to disconnect
    }
  }
  client.disconnect();
}
