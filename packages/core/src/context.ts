/** A typed key into a call's {@link Context}. Two keys with the same name are still distinct. */
export interface ContextKey<T> {
  readonly name: string;
  /** Phantom field: carries the value type, never set at run time. */
  readonly __type?: T;
}

/**
 * Creates a typed context key.
 *
 * @example
 * const requestIdKey = contextKey<string>("my-plugin:request-id");
 * context.set(requestIdKey, "abc");
 */
export function contextKey<T>(name: string): ContextKey<T> {
  return Object.freeze({ name });
}

/**
 * The per-call store: one per `client.request` / `client.fetch` call, shared by every middleware
 * and every attempt of that call, and readable afterwards from the response and from errors.
 */
export class Context {
  // Created on first write: most calls through a bare client never store anything.
  #values: Map<ContextKey<unknown>, unknown> | undefined;

  /** The value stored under `key`, if any. */
  get<T>(key: ContextKey<T>): T | undefined {
    return this.#values?.get(key) as T | undefined;
  }

  /** Stores `value` under `key`; returns the context so calls can be chained. */
  set<T>(key: ContextKey<T>, value: T): this {
    if (this.#values === undefined) this.#values = new Map();
    this.#values.set(key, value);
    return this;
  }

  /** Whether a value is stored under `key`. */
  has(key: ContextKey<unknown>): boolean {
    return this.#values?.has(key) ?? false;
  }

  /** Removes the value stored under `key`. */
  delete(key: ContextKey<unknown>): boolean {
    return this.#values?.delete(key) ?? false;
  }

  /** The names of the keys that hold a value, for logs and debugging (values are not exposed). */
  keys(): string[] {
    return this.#values ? [...this.#values.keys()].map((k) => k.name) : [];
  }
}
