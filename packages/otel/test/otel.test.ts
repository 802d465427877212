import diagnosticsChannel from "node:diagnostics_channel";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { propagation } from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from "@opentelemetry/sdk-metrics";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { createClient, type Middleware } from "@switchyard/core";
import { mirror } from "@switchyard/mirror";
import { retry } from "@switchyard/retry";
import { retryAfter } from "@switchyard/retry-after";
import { fakeClock } from "@switchyard/testkit/clock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { otel } from "../src/otel.ts";

// A local server with scripted answers per path: each request takes the next answer.
let server: http.Server;
let origin = "";
const scripts = new Map<string, Array<(res: http.ServerResponse, req: http.IncomingMessage) => void>>();
const seen: http.IncomingHttpHeaders[] = [];
beforeAll(async () => {
  server = http.createServer((req, res) => {
    seen.push(req.headers);
    const script = scripts.get(req.url ?? "") ?? [];
    const answer = script.length > 1 ? script.shift()! : script[0];
    if (answer) answer(res, req);
    else res.end("ok");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const status =
  (code: number, headers: Record<string, string> = {}) =>
  (res: http.ServerResponse) => {
    res.writeHead(code, headers);
    res.end(String(code));
  };
const reset = () => (_res: http.ServerResponse, req: http.IncomingMessage) => req.socket.destroy();

function setup(extra: { propagate?: boolean } = {}) {
  const spans = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
  const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({
    exporter: metricExporter,
    exportIntervalMillis: 3_600_000,
  });
  const meterProvider = new MeterProvider({ readers: [reader] });
  const plugin = otel({ tracerProvider, meterProvider, ...extra });
  const clock = fakeClock();
  const clientWith = (...middleware: Middleware[]) => {
    const client = createClient({ middleware: [plugin, ...middleware] });
    cleanup.push(() => client.close());
    return client;
  };
  cleanup.push(async () => {
    plugin.close();
    await meterProvider.shutdown();
    await tracerProvider.shutdown();
  });
  async function metric(name: string) {
    await reader.forceFlush();
    const all = metricExporter.getMetrics().flatMap((r) => r.scopeMetrics.flatMap((s) => s.metrics));
    return all.filter((m) => m.descriptor.name === name).at(-1)?.dataPoints ?? [];
  }
  return {
    spans,
    clock,
    clientWith,
    metric,
    retryWithClock: () => retry({ now: clock.now, sleep: clock.sleep }),
  };
}

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()!();
});

const parentOf = (span: ReadableSpan): string | undefined => span.parentSpanContext?.spanId;

describe("otel", () => {
  it("shows a retried call as one logical span with its attempts beneath it", async () => {
    scripts.set("/flaky", [status(503), status(503), status(200)]);
    const t = setup();
    const client = t.clientWith(t.retryWithClock());
    const res = await client.request(`${origin}/flaky`);
    expect(res.status).toBe(200);
    await res.discard();
    const spans = t.spans.getFinishedSpans();
    const call = spans.find((s) => parentOf(s) === undefined)!;
    const attempts = spans.filter((s) => parentOf(s) === call.spanContext().spanId);
    expect(spans).toHaveLength(4);
    expect(call.name).toBe("GET");
    expect(call.kind).toBe(2); // SpanKind.CLIENT
    expect(call.attributes).toMatchObject({
      "http.request.method": "GET",
      "url.full": `${origin}/flaky`,
      "server.address": "127.0.0.1",
      "http.response.status_code": 200,
      "switchyard.attempts": 3,
    });
    expect(call.events.map((e) => e.name)).toEqual(["switchyard.retry", "switchyard.retry"]);
    expect(attempts.map((s) => s.attributes["http.response.status_code"])).toEqual([503, 503, 200]);
    expect(attempts.map((s) => s.attributes["http.request.resend_count"])).toEqual([undefined, 1, 2]);
    expect(attempts.map((s) => s.attributes["error.type"])).toEqual(["503", "503", undefined]);
    expect(attempts.every((s) => s.spanContext().traceId === call.spanContext().traceId)).toBe(true);
    const retries = await t.metric("switchyard.client.retries");
    expect(retries.map((p) => p.value)).toEqual([2]);
    const duration = await t.metric("http.client.request.duration");
    expect(duration).toHaveLength(1);
    expect((duration[0]!.value as { count: number }).count).toBe(1);
    expect(duration[0]!.attributes).toMatchObject({
      "http.request.method": "GET",
      "http.response.status_code": 200,
    });
  });

  it("records an attempt that failed at the transport with its error.type, and a failed call", async () => {
    scripts.set("/reset", [reset(), status(200)]);
    scripts.set("/always-reset", [reset()]);
    const t = setup();
    const client = t.clientWith(t.retryWithClock());
    await (await client.request(`${origin}/reset`)).discard();
    const first = t.spans.getFinishedSpans().filter((s) => parentOf(s) !== undefined);
    expect(first.map((s) => s.attributes["error.type"])).toEqual(["SWITCHYARD_ERR_SOCKET", undefined]);
    t.spans.reset();
    const once = t.clientWith();
    await expect(once.request(`${origin}/always-reset`)).rejects.toMatchObject({
      code: "SWITCHYARD_ERR_SOCKET",
    });
    const [attempt, call] = t.spans.getFinishedSpans();
    expect(attempt?.attributes["error.type"]).toBe("SWITCHYARD_ERR_SOCKET");
    expect(call?.attributes["error.type"]).toBe("SWITCHYARD_ERR_SOCKET");
    expect(call?.status.code).toBe(2); // SpanStatusCode.ERROR
  });

  it("names the mirror of each attempt and the one that served, and counts mirror failures", async () => {
    scripts.set("/down/ch/pkg", [status(503)]);
    scripts.set("/up/ch/pkg", [status(200)]);
    const t = setup();
    const prefix = "https://conda.example/ch";
    const client = t.clientWith(
      mirror({ mirrors: { [prefix]: [`${origin}/down/ch`, `${origin}/up/ch`] }, delay: () => 0 }),
    );
    await (await client.request(`${prefix}/pkg`)).discard();
    const spans = t.spans.getFinishedSpans();
    const call = spans.find((s) => parentOf(s) === undefined)!;
    const attempts = spans.filter((s) => parentOf(s) !== undefined);
    expect(attempts.map((s) => s.attributes["switchyard.mirror"])).toEqual([
      `${origin}/down/ch`,
      `${origin}/up/ch`,
    ]);
    expect(call.attributes["switchyard.served_by.kind"]).toBe("mirror");
    expect(call.attributes["switchyard.served_by.url"]).toBe(`${origin}/up/ch`);
    expect(call.attributes["url.full"]).toBe(`${prefix}/pkg`);
    const failures = await t.metric("switchyard.client.mirror.failures");
    expect(failures.map((p) => [p.attributes["switchyard.mirror"], p.value])).toEqual([
      [`${origin}/down/ch`, 1],
    ]);
  });

  it("records Retry-After waits", async () => {
    scripts.set("/busy", [status(429, { "retry-after": "2" }), status(200)]);
    const t = setup();
    // No retry: the 429 is the answer, and the next call to the origin waits out the deadline.
    const client = t.clientWith(retryAfter({ now: t.clock.now, sleep: t.clock.sleep }));
    expect((await client.request(`${origin}/busy`)).status).toBe(429);
    await (await client.request(`${origin}/busy`)).discard();
    const waits = await t.metric("switchyard.client.retry_after.wait");
    expect(waits).toHaveLength(1);
    expect((waits[0]!.value as { count: number; sum: number }).count).toBe(1);
    expect((waits[0]!.value as { sum: number }).sum).toBeGreaterThan(1);
  });

  it("propagates traceparent when asked, with the call's trace", async () => {
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    cleanup.push(() => propagation.disable());
    scripts.set("/traced", [status(200)]);
    const t = setup({ propagate: true });
    const client = t.clientWith();
    const before = seen.length;
    await (await client.request(`${origin}/traced`)).discard();
    const call = t.spans.getFinishedSpans().find((s) => parentOf(s) === undefined)!;
    expect(seen[before]?.traceparent).toBe(
      `00-${call.spanContext().traceId}-${call.spanContext().spanId}-01`,
    );
    const plain = setup();
    await (await plain.clientWith().request(`${origin}/traced`)).discard();
    expect(seen.at(-1)?.traceparent).toBeUndefined();
  });

  it("keeps two otel() instances' calls apart, and ignores a client without otel beside them", async () => {
    const a = setup();
    const b = setup();
    const plain = createClient();
    try {
      await Promise.all([
        a
          .clientWith()
          .request(`${origin}/a`)
          .then((res) => res.discard()),
        b
          .clientWith()
          .request(`${origin}/b`)
          .then((res) => res.discard()),
        plain.request(`${origin}/plain`).then((res) => res.discard()),
      ]);
      const urls = (t: typeof a) => t.spans.getFinishedSpans().map((s) => s.attributes["url.full"]);
      // One attempt span and one call span each, nothing for the plain client.
      expect(urls(a)).toEqual([`${origin}/a`, `${origin}/a`]);
      expect(urls(b)).toEqual([`${origin}/b`, `${origin}/b`]);
    } finally {
      await plain.close();
    }
  });

  it("listens only while a call it traces is in flight, and to nothing after close()", async () => {
    const channel = diagnosticsChannel.channel("switchyard:core:attempt-error");
    expect(channel.hasSubscribers).toBe(false);
    const plugin = otel();
    // Created but idle: a client without otel in the same process publishes nothing.
    expect(channel.hasSubscribers).toBe(false);
    const during: boolean[] = [];
    const spy: Middleware = {
      name: "spy",
      stage: "send",
      handle: (request, next) => {
        during.push(channel.hasSubscribers);
        return next(request);
      },
    };
    const client = createClient({ middleware: [plugin, spy] });
    try {
      await (await client.request(`${origin}/listening`)).discard();
      expect(during).toEqual([true]);
    } finally {
      plugin.close();
      await client.close();
    }
    expect(channel.hasSubscribers).toBe(false);
  });

  it("refuses bad options synchronously", () => {
    expect(() => otel({ propagate: "yes" as never })).toThrow(/propagate must be a boolean/);
  });
});
