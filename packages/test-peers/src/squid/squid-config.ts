import { assertPlainConfigValue } from "../config-quote.ts";

/** Everything {@link renderSquidConfig} needs. */
export interface SquidConfigInput {
  port: number;
  /** Temp dir for the pid file, logs and the password file; writable by squid's effective user. */
  dir: string;
  /** Path of Debian's `basic_ncsa_auth` helper, when proxy auth is on. */
  authHelper?: string;
  /** Path of the htpasswd file the helper reads, when proxy auth is on. */
  passwordFile?: string;
}

/**
 * Renders a squid config: 127.0.0.1 only, memory only (no cache dir, nothing cached), DNS pointed
 * at 127.0.0.1 so that nothing outside loopback is ever asked, no pinger, immediate shutdown, an
 * access log in `dir`. CONNECT may reach any port (no `SSL_ports` rule). With `authHelper`, every
 * request needs Basic proxy credentials (407 with `Proxy-Authenticate` otherwise).
 */
export function renderSquidConfig(input: SquidConfigInput): string {
  const dir = assertPlainConfigValue("dir", input.dir);
  const lines = [
    `http_port 127.0.0.1:${input.port}`,
    `pid_filename ${dir}/squid.pid`,
    `cache_log ${dir}/cache.log`,
    `access_log stdio:${dir}/access.log squid`,
    "buffered_logs off",
    "logfile_rotate 0",
    `coredump_dir ${dir}`,
    "cache deny all",
    "cache_mem 8 MB",
    "dns_nameservers 127.0.0.1",
    "pinger_enable off",
    "shutdown_lifetime 0 seconds",
    "acl loopback_clients src 127.0.0.1/32",
  ];
  if (input.authHelper !== undefined && input.passwordFile !== undefined) {
    const helper = assertPlainConfigValue("authHelper", input.authHelper);
    const file = assertPlainConfigValue("passwordFile", input.passwordFile);
    lines.push(
      `auth_param basic program ${helper} ${file}`,
      "auth_param basic children 1 startup=1 idle=1",
      "auth_param basic realm switchyard-test",
      "acl authenticated proxy_auth REQUIRED",
      "http_access allow loopback_clients authenticated",
    );
  } else {
    lines.push("http_access allow loopback_clients");
  }
  lines.push("http_access deny all");
  return `${lines.join("\n")}\n`;
}
