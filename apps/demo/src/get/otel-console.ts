import { BasicTracerProvider, ConsoleSpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { type OtelMiddleware, otel } from "@switchyard/otel";

/** `--otel`: the otel plugin with a tracer provider that prints each finished span (stdout). */
export function consoleOtel(): { plugin: OtelMiddleware; shutdown(): Promise<void> } {
  const provider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(new ConsoleSpanExporter())],
  });
  const plugin = otel({ tracerProvider: provider });
  return {
    plugin,
    async shutdown() {
      plugin.close();
      await provider.shutdown();
    },
  };
}
