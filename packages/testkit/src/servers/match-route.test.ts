import { describe, expect, it } from "vitest";
import { matchRoute } from "./match-route.ts";
import type { ResponseStep } from "./response-step.ts";

const step = (status: number) => (): ResponseStep => ({ status });
const routes = new Map([
  ["/v2/", step(200)],
  ["/v2/*", step(401)],
  ["/v2/x/blobs/*", step(307)],
  ["*", step(418)],
]);

describe("matchRoute", () => {
  it.each([
    ["/v2/", 200],
    ["/v2/x/manifests/1", 401],
    ["/v2/x/blobs/sha256:1", 307],
    ["/other", 418],
  ])("routes %s to %i", (path, status) => {
    expect(matchRoute(routes, path)?.().status).toBe(status);
  });

  it("finds nothing without a match", () => {
    expect(matchRoute(new Map([["/a", step(200)]]), "/b")).toBeUndefined();
  });
});
