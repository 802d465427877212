// The floor of a transport built on `Dispatcher#dispatch` with a lazily consumed body (issue 21's
// proposed next step for core), against bare `undici.request`, paired slices, medians: each call
// parses its URL, keeps status and headers, gathers the chunks and copies them once into an
// ArrayBuffer of the exact size, as such a transport's `arrayBuffer()` would, with no stream object.
// `node src/lazy-body-floor.ts [bodyBytes] [rounds]` (about 20 s).
import { Agent, request } from "undici";
import { measure, median } from "./measure.ts";
import { startOrigin } from "./origin.ts";

const size = Number(process.argv[2] ?? 32);
const rounds = Number(process.argv[3] ?? 9);
const origin = await startOrigin();
const url = `${origin.url}bytes/${size}`;
const agentA = new Agent({ connections: 16, keepAliveTimeout: 60_000 });
const agentB = new Agent({ connections: 16, keepAliveTimeout: 60_000 });

const bare = async () => {
  const res = await request(url, { dispatcher: agentA });
  await res.body.arrayBuffer();
};

interface Lazy {
  status: number;
  headers: Record<string, unknown>;
  chunks: Buffer[];
  done: boolean;
  error?: unknown;
  wake?: () => void;
}
function lazyRequest(u: string): Promise<Lazy> {
  const parsed = new URL(u);
  return new Promise((resolve, reject) => {
    let res: Lazy | undefined;
    agentB.dispatch(
      { origin: parsed.origin, path: parsed.pathname + parsed.search, method: "GET" },
      {
        onRequestStart() {},
        onResponseStart(_c, status, headers) {
          res = { status, headers, chunks: [], done: false };
          resolve(res);
        },
        onResponseData(_c, chunk) {
          res!.chunks.push(chunk);
        },
        onResponseEnd() {
          res!.done = true;
          res!.wake?.();
        },
        onResponseError(_c, error) {
          if (res === undefined) reject(error);
          else {
            res.error = error;
            res.wake?.();
          }
        },
      },
    );
  });
}
function whole(res: Lazy): Promise<ArrayBuffer> {
  const finish = () => {
    let n = 0;
    for (const c of res.chunks) n += c.length;
    const out = new Uint8Array(new ArrayBuffer(n));
    let at = 0;
    for (const c of res.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out.buffer;
  };
  if (res.done) return Promise.resolve(finish());
  return new Promise((resolve, reject) => {
    res.wake = () => (res.error ? reject(res.error) : resolve(finish()));
  });
}
const lazy = async () => {
  const res = await lazyRequest(url);
  await whole(res);
};

await measure(bare, 3000, 16);
await measure(lazy, 3000, 16);
const ratio: number[] = [];
const cpu: number[] = [];
for (let r = 0; r < rounds; r++) {
  const first = r % 2 === 0;
  const a = await measure(first ? bare : lazy, 5000, 16);
  const b = await measure(first ? lazy : bare, 5000, 16);
  const [x, y] = first ? [a, b] : [b, a];
  ratio.push(y.requestsPerSecond / x.requestsPerSecond);
  cpu.push(x.cpuMicros / y.cpuMicros);
}
console.log(
  `size ${size}: lazy dispatch / bare undici.request: req/s ${median(ratio).toFixed(3)}, CPU ${median(cpu).toFixed(3)}`,
);
await agentA.close();
await agentB.close();
await origin.close();
