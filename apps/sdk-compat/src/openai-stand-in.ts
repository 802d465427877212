import type { ResponseStep } from "@switchyard/testkit/servers";

const JSON_TYPE = { "content-type": "application/json" };

/** A chat.completions answer as the OpenAI API sends it. */
export function completion(content: string): ResponseStep {
  return {
    headers: JSON_TYPE,
    body: JSON.stringify({
      id: "chatcmpl-1",
      object: "chat.completion",
      created: 1_700_000_000,
      model: "gpt-test",
      choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop", logprobs: null }],
    }),
  };
}

/** An API error answer; `retry-after-ms` keeps the SDK's own wait at one millisecond. */
export function apiError(status: number, message: string): ResponseStep {
  return {
    status,
    headers: { ...JSON_TYPE, "retry-after": "0", "retry-after-ms": "1" },
    body: JSON.stringify({ error: { message, type: "test_error", code: null } }),
  };
}

/** A streamed answer: one server-sent event per piece, then `[DONE]`. */
export function streamed(pieces: readonly string[]): ResponseStep {
  const events = pieces.map((piece, i) =>
    JSON.stringify({
      id: "chatcmpl-2",
      object: "chat.completion.chunk",
      created: 1_700_000_000,
      model: "gpt-test",
      choices: [{ index: 0, delta: i === 0 ? { role: "assistant", content: piece } : { content: piece } }],
    }),
  );
  return {
    headers: { "content-type": "text/event-stream", "cache-control": "no-cache" },
    body: `${events.map((e) => `data: ${e}\n\n`).join("")}data: [DONE]\n\n`,
  };
}
