import { assertPlainConfigValue } from "../config-quote.ts";

/** Everything {@link renderTinyproxyConfig} needs. */
export interface TinyproxyConfigInput {
  port: number;
  /** Temp dir for the pid file. */
  dir: string;
  basicAuth?: { user: string; password: string };
  /** Seconds an idle connection is kept. */
  timeoutSeconds: number;
}

/**
 * Renders a tinyproxy config: 127.0.0.1 only, no `ConnectPort` lines (so CONNECT may reach any
 * port), `LogLevel Connect` so that every request and CONNECT shows in the log.
 */
export function renderTinyproxyConfig(input: TinyproxyConfigInput): string {
  const lines = [
    `Port ${input.port}`,
    "Listen 127.0.0.1",
    "Allow 127.0.0.1",
    `Timeout ${Math.max(1, Math.floor(input.timeoutSeconds))}`,
    "MaxClients 100",
    "LogLevel Connect",
    `PidFile "${assertPlainConfigValue("dir", input.dir)}/tinyproxy.pid"`,
  ];
  if (input.basicAuth) {
    const { user, password } = input.basicAuth;
    for (const [what, value] of [
      ["user", user],
      ["password", password],
    ] as const) {
      if (!/^[\x21-\x7e]+$/.test(value) || /["'#\\]/.test(value)) {
        throw new TypeError(
          `tinyproxy basicAuth ${what} must be printable ASCII without spaces, quotes, '#' or '\\'`,
        );
      }
    }
    lines.push(`BasicAuth ${user} ${password}`);
  }
  return `${lines.join("\n")}\n`;
}
