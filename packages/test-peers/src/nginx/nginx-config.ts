import { assertPlainConfigValue, nginxQuote } from "../config-quote.ts";

/** A location that always fails, for scripted-failure tests. */
export interface NginxFailingLocation {
  /** nginx location match, e.g. `"/flaky/"` (prefix) or `"= /down.txt"` (exact). */
  location: string;
  /** Status returned. @default 503 */
  status?: number;
  /** `Retry-After` value (delta-seconds or HTTP-date), sent with `add_header ... always`. Omit for none. */
  retryAfter?: number | string;
  /** Response body. @default "unavailable\n" */
  body?: string;
}

/** A location serving the same root as `/`, with the prefix stripped, throttled by `limit_rate`. */
export interface NginxSlowLocation {
  /** Prefix, starting and ending with `/`, e.g. `"/slow/"`: `/slow/a.bin` serves `<root>/a.bin`. */
  prefix: string;
  /** Bytes per second per connection. */
  bytesPerSecond: number;
  /** Bytes sent at full speed before the throttle starts. @default 0 */
  afterBytes?: number;
}

/**
 * A location (under the same root) that adds response headers, e.g. `Cache-Control` for HTTP cache
 * tests; nginx still sends its own `ETag` and `Last-Modified` and answers conditional requests with 304.
 */
export interface NginxHeaderLocation {
  /** nginx location match, e.g. `"/fresh/"` (prefix): `/fresh/a.json` serves `<root>/fresh/a.json`. */
  location: string;
  /** Header name -> value, sent with `add_header ... always`. */
  headers: Record<string, string>;
}

/** Everything {@link renderNginxConfig} needs. */
export interface NginxConfigInput {
  /** Temp dir (nginx `-p` prefix) holding pid, logs and temp paths. */
  dir: string;
  port: number;
  root: string;
  failing: readonly NginxFailingLocation[];
  slow: readonly NginxSlowLocation[];
  /** Locations that add response headers. @default [] */
  headers?: readonly NginxHeaderLocation[];
}

/** Renders a self-contained nginx.conf: foreground, one process, everything inside `dir`. */
export function renderNginxConfig(input: NginxConfigInput): string {
  const q = (what: string, value: string): string => nginxQuote(what, value);
  const { dir } = input;
  const locations: string[] = [];
  for (const fail of input.failing) {
    const status = fail.status ?? 503;
    if (!Number.isInteger(status) || status < 200 || status > 599)
      throw new TypeError(`bad status ${status}`);
    const body = fail.body ?? "unavailable\n";
    if (/[$\0]/.test(body)) throw new TypeError("failing body must not contain '$' or NUL");
    const retryAfter =
      fail.retryAfter === undefined
        ? ""
        : `      add_header Retry-After ${q("retryAfter", String(fail.retryAfter))} always;\n`;
    locations.push(
      `    location ${assertPlainConfigValue("location", fail.location)} {\n` +
        `      default_type text/plain;\n${retryAfter}` +
        `      return ${status} ${JSON.stringify(body)};\n    }\n`,
    );
  }
  for (const slow of input.slow) {
    if (!/^\/(?:[^/]+\/)*$/.test(slow.prefix) || slow.prefix === "/") {
      throw new TypeError(`slow prefix must look like "/slow/": ${JSON.stringify(slow.prefix)}`);
    }
    if (!(slow.bytesPerSecond > 0)) throw new TypeError("slow bytesPerSecond must be > 0");
    locations.push(
      `    location ${assertPlainConfigValue("prefix", slow.prefix)} {\n` +
        `      alias ${q("root", `${input.root.replace(/\/$/, "")}/`)};\n` +
        `      limit_rate ${Math.floor(slow.bytesPerSecond)};\n` +
        `      limit_rate_after ${Math.floor(slow.afterBytes ?? 0)};\n    }\n`,
    );
  }
  for (const extra of input.headers ?? []) {
    const lines = Object.entries(extra.headers).map(
      ([name, value]) =>
        `      add_header ${assertPlainConfigValue("header name", name)} ${q("header value", value)} always;\n`,
    );
    locations.push(
      `    location ${assertPlainConfigValue("location", extra.location)} {\n${lines.join("")}    }\n`,
    );
  }
  return `daemon off;
master_process off;
worker_processes 1;
pid ${q("pid", `${dir}/nginx.pid`)};
error_log stderr warn;
events { worker_connections 256; }
http {
  default_type application/octet-stream;
  types { text/plain txt; text/html html; application/json json; }
  log_format sy escape=json '{"method":"$request_method","uri":"$request_uri","status":$status,"bytes":$body_bytes_sent,"range":"$http_range"}';
  access_log ${q("log", `${dir}/access.log`)} sy;
  client_body_temp_path ${q("temp", `${dir}/client_body`)};
  proxy_temp_path ${q("temp", `${dir}/proxy`)};
  fastcgi_temp_path ${q("temp", `${dir}/fastcgi`)};
  uwsgi_temp_path ${q("temp", `${dir}/uwsgi`)};
  scgi_temp_path ${q("temp", `${dir}/scgi`)};
  keepalive_timeout 5s;
  server_tokens on;
  server {
    listen 127.0.0.1:${input.port};
    server_name localhost;
    root ${q("root", input.root)};
${locations.join("")}    location / { }
  }
}
`;
}
