/**
 * Every error reachable from `error` through `cause` and `AggregateError.errors`, breadth first,
 * `error` itself included (bounded: a cycle or a deep chain stops the walk).
 */
export function causeChain(error: unknown, limit = 32): unknown[] {
  const out: unknown[] = [];
  const queue: unknown[] = [error];
  const seen = new Set<unknown>();
  while (queue.length > 0 && out.length < limit) {
    const item = queue.shift();
    if (seen.has(item)) continue;
    seen.add(item);
    out.push(item);
    if (typeof item === "object" && item !== null) {
      if ("cause" in item && item.cause !== undefined) queue.push(item.cause);
      if (item instanceof AggregateError) queue.push(...item.errors);
    }
  }
  return out;
}

/** A one-line description of an error for conformance messages: name, code and message. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return `${error.name}${typeof code === "string" ? ` [${code}]` : ""}: ${error.message}`;
  }
  return `a non-Error value (${typeof error}): ${String(error).slice(0, 200)}`;
}
