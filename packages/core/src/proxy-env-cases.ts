/**
 * The table of proxy-from-environment cases (core-internal test data). `src/env-proxy.test.ts`
 * checks `proxyFor` against `want`; `test/proxy-env-curl.test.ts` runs Debian 12's curl (7.88.1)
 * with the same variables and checks where it really connected against `curl ?? want`. `P` in
 * a variable stands for the proxy URL.
 */
export interface ProxyEnvCase {
  readonly url: string;
  readonly env: Readonly<Record<string, string>>;
  readonly want: "proxy" | "direct";
  /** What curl 7.88.1 does, where it differs from `want` (newer curl agrees with `want`). */
  readonly curl?: "proxy" | "direct";
  readonly why?: string;
}

const P = "P";

export const PROXY_ENV_CASES: readonly ProxyEnvCase[] = [
  // which variable
  { url: "http://example.com/", env: { http_proxy: P }, want: "proxy" },
  {
    url: "http://example.com/",
    env: { HTTP_PROXY: P },
    want: "direct",
    why: "uppercase HTTP_PROXY is ignored (httpoxy)",
  },
  { url: "http://example.com/", env: { all_proxy: P }, want: "proxy" },
  { url: "http://example.com/", env: { ALL_PROXY: P }, want: "proxy" },
  {
    url: "http://example.com/",
    env: { https_proxy: P },
    want: "direct",
    why: "https_proxy is for https: URLs",
  },
  {
    url: "http://example.com/",
    env: { http_proxy: "", ALL_PROXY: P },
    want: "proxy",
    why: "empty means unset",
  },
  { url: "https://example.com/", env: { https_proxy: P }, want: "proxy" },
  { url: "https://example.com/", env: { HTTPS_PROXY: P }, want: "proxy" },
  { url: "https://example.com/", env: { http_proxy: P }, want: "direct" },
  {
    url: "https://example.com/",
    env: { https_proxy: P, HTTPS_PROXY: "http://127.0.0.1:9" },
    want: "proxy",
    why: "lowercase wins",
  },
  { url: "https://example.com/", env: { ALL_PROXY: P }, want: "proxy" },
  { url: "https://example.com/", env: { https_proxy: P, no_proxy: "example.com" }, want: "direct" },
  // which NO_PROXY variable
  { url: "http://example.com/", env: { http_proxy: P, no_proxy: "example.com" }, want: "direct" },
  { url: "http://example.com/", env: { http_proxy: P, NO_PROXY: "example.com" }, want: "direct" },
  {
    url: "http://example.com/",
    env: { http_proxy: P, no_proxy: "", NO_PROXY: "example.com" },
    want: "direct",
  },
  {
    url: "http://example.com/",
    env: { http_proxy: P, no_proxy: "other.org", NO_PROXY: "example.com" },
    want: "proxy",
    why: "lowercase wins",
  },
  // separators and `*`
  { url: "http://example.com/", env: { http_proxy: P, no_proxy: "foo, example.com" }, want: "direct" },
  { url: "http://example.com/", env: { http_proxy: P, no_proxy: "foo example.com" }, want: "direct" },
  { url: "http://example.com/", env: { http_proxy: P, no_proxy: "foo,,example.com" }, want: "direct" },
  { url: "http://example.com/", env: { http_proxy: P, no_proxy: "foo\texample.com" }, want: "direct" },
  { url: "http://example.com/", env: { http_proxy: P, no_proxy: "*" }, want: "direct" },
  {
    url: "http://example.com/",
    env: { http_proxy: P, no_proxy: "foo,*" },
    want: "proxy",
    why: "`*` counts only alone",
  },
  {
    url: "http://example.com/",
    env: { http_proxy: P, no_proxy: " * " },
    want: "proxy",
    why: "`*` counts only alone",
  },
  // names
  { url: "http://example.com/", env: { http_proxy: P, no_proxy: ".example.com" }, want: "direct" },
  { url: "http://www.example.com/", env: { http_proxy: P, no_proxy: "example.com" }, want: "direct" },
  { url: "http://www.example.com/", env: { http_proxy: P, no_proxy: ".example.com" }, want: "direct" },
  { url: "http://nonexample.com/", env: { http_proxy: P, no_proxy: "example.com" }, want: "proxy" },
  { url: "http://a.example.com/", env: { http_proxy: P, no_proxy: "*.example.com" }, want: "proxy" },
  { url: "http://example.com./", env: { http_proxy: P, no_proxy: "example.com" }, want: "direct" },
  { url: "http://example.com/", env: { http_proxy: P, no_proxy: "example.com." }, want: "direct" },
  { url: "http://EXAMPLE.com/", env: { http_proxy: P, no_proxy: "example.COM" }, want: "direct" },
  { url: "http://example.com.evil.org/", env: { http_proxy: P, no_proxy: "example.com" }, want: "proxy" },
  { url: "http://localhost/", env: { http_proxy: P, no_proxy: "localhost" }, want: "direct" },
  // ports: curl has no port rules, an entry with one matches nothing
  { url: "http://example.com:8080/", env: { http_proxy: P, no_proxy: "example.com:8080" }, want: "proxy" },
  { url: "http://example.com:8080/", env: { http_proxy: P, no_proxy: "example.com" }, want: "direct" },
  // IPv4
  { url: "http://10.1.2.3/", env: { http_proxy: P, no_proxy: "10.1.2.3" }, want: "direct" },
  { url: "http://10.1.2.3/", env: { http_proxy: P, no_proxy: "10.0.0.0/8" }, want: "direct" },
  { url: "http://11.1.2.3/", env: { http_proxy: P, no_proxy: "10.0.0.0/8" }, want: "proxy" },
  { url: "http://192.168.7.9/", env: { http_proxy: P, no_proxy: "192.168.0.0/16" }, want: "direct" },
  { url: "http://10.1.2.3/", env: { http_proxy: P, no_proxy: "10.1.2.3/32" }, want: "direct" },
  {
    url: "http://10.1.2.3/",
    env: { http_proxy: P, no_proxy: "10.0.0.0/0" },
    want: "proxy",
    why: "curl reads /0 as an exact match",
  },
  {
    url: "http://10.1.2.3/",
    env: { http_proxy: P, no_proxy: "10." },
    want: "proxy",
    why: "IP hosts match only addresses",
  },
  { url: "http://127.0.0.1/", env: { http_proxy: P, no_proxy: "localhost" }, want: "proxy", why: "no DNS" },
  {
    url: "http://0x7f.1/",
    env: { http_proxy: P, no_proxy: "127.0.0.1" },
    want: "direct",
    why: "the URL parser normalizes IPv4",
  },
  { url: "http://2130706433/", env: { http_proxy: P, no_proxy: "127.0.0.0/8" }, want: "direct" },
  // IPv6
  { url: "http://[::1]/", env: { http_proxy: P, no_proxy: "::1" }, want: "direct" },
  { url: "http://[::1]/", env: { http_proxy: P, no_proxy: "[::1]" }, want: "proxy" },
  {
    url: "http://[::1]/",
    env: { http_proxy: P, no_proxy: "0:0::1" },
    want: "direct",
    curl: "proxy",
    why: "curl 7.88 compares IPv6 hosts as text; newer curl as addresses",
  },
  {
    url: "http://[::1]/",
    env: { http_proxy: P, no_proxy: "::/64" },
    want: "direct",
    curl: "proxy",
    why: "curl 7.88 has no IPv6 CIDR; newer curl has",
  },
  {
    url: "http://[2001:db8::5]/",
    env: { http_proxy: P, no_proxy: "2001:db8::/32" },
    want: "direct",
    curl: "proxy",
    why: "curl 7.88 has no IPv6 CIDR; newer curl has",
  },
  { url: "http://[2001:db9::5]/", env: { http_proxy: P, no_proxy: "2001:db8::/32" }, want: "proxy" },
  { url: "http://[::ffff:10.0.0.1]/", env: { http_proxy: P, no_proxy: "10.0.0.0/8" }, want: "proxy" },
];
