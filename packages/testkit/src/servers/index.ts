export type { GeneratedBody } from "./generated-body.ts";
export {
  generatedBodyBytes,
  generatedBodyChunks,
  generatedBodySha256,
  generatedBodyStream,
} from "./generated-body.ts";
export type { RecordedRequest } from "./recorded-request.ts";
export type {
  ResponseStep,
  RouteScript,
  TestHandler,
  TestRequest,
  TestResponse,
} from "./response-step.ts";
export { redirect } from "./response-step.ts";
export { sendJson } from "./send-json.ts";
export type { TestServer, TestServerOptions, TestServerTls } from "./test-server.ts";
export { startTestServer } from "./test-server.ts";
