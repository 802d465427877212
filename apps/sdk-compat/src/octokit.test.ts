import type { IncomingMessage, ServerResponse } from "node:http";
import { Octokit } from "@octokit/rest";
import { startTestServer, type TestServer } from "@switchyard/testkit/servers";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type FetchImpl, makeFetch } from "./fetch-impls.ts";

let srv: TestServer;
let impl: FetchImpl | undefined;

beforeAll(async () => {
  srv = await startTestServer();
});
afterAll(() => srv.close());
beforeEach(() => srv.reset());
afterEach(() => impl?.close());

function octokit(name: "node" | "client"): Octokit {
  impl = makeFetch(name);
  return new Octokit({ baseUrl: srv.origin, auth: "ghp_test_not_a_secret", request: { fetch: impl.fetch } });
}

// GitHub's list shape: five issues, two per page, `Link` headers pointing at the next and last page.
const ISSUES = [1, 2, 3, 4, 5].map((number) => ({ number, title: `issue ${number}` }));
function listIssues(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? "/", srv.origin);
  const perPage = Number(url.searchParams.get("per_page") ?? 30);
  const page = Number(url.searchParams.get("page") ?? 1);
  const last = Math.ceil(ISSUES.length / perPage);
  const link = (p: number, rel: string) => {
    const u = new URL(url);
    u.searchParams.set("page", String(p));
    return `<${u.href}>; rel="${rel}"`;
  };
  const links = page < last ? [link(page + 1, "next"), link(last, "last")] : [link(1, "first")];
  res.writeHead(200, { "content-type": "application/json", link: links.join(", ") });
  res.end(JSON.stringify(ISSUES.slice((page - 1) * perPage, page * perPage)));
}

describe("@octokit/rest 22.0.1 with client.fetch as its fetch", () => {
  describe.each(["node", "client"] as const)("%s", (name) => {
    it("paginate follows the Link headers across three pages", async () => {
      srv.route("/repos/o/r/issues", (req, res) => listIssues(req as IncomingMessage, res as ServerResponse));
      const kit = octokit(name);
      const all = await kit.paginate(kit.rest.issues.listForRepo, { owner: "o", repo: "r", per_page: 2 });
      expect(all.map((i) => i.number)).toEqual([1, 2, 3, 4, 5]);
      expect(srv.requests.map((r) => new URL(r.url, srv.origin).searchParams.get("page"))).toEqual([
        null,
        "2",
        "3",
      ]);
      expect(srv.requests[0]?.headers.authorization).toBe("token ghp_test_not_a_secret");
    });

    it("a 304 to a conditional request surfaces as Octokit's RequestError with status 304", async () => {
      srv.route("/repos/o/r", { status: 304, headers: { etag: '"v1"' } });
      const call = octokit(name).request("GET /repos/{owner}/{repo}", {
        owner: "o",
        repo: "r",
        headers: { "if-none-match": '"v1"' },
      });
      await expect(call).rejects.toMatchObject({ name: "HttpError", status: 304 });
      expect(srv.requests[0]?.headers["if-none-match"]).toBe('"v1"');
    });
  });
});
