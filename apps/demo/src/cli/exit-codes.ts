/** The exit codes of every command (documented in the README). */
export const EXIT = Object.freeze({
  /** Everything as expected. */
  ok: 0,
  /** The matrix found unexpected cells, a proxy upload failed, or an internal error. */
  failed: 1,
  /** Bad command line: unknown flag, missing argument. */
  usage: 2,
  /** The config file could not be read, parsed or validated, or a plugin refused its options. */
  config: 3,
  /** `get`: the server answered with a status that is not 2xx. */
  http: 4,
  /** `get`: the request failed (connection, timeout, plugin error such as a missing scheme plugin). */
  request: 5,
  /** The local peers could not be started. */
  peers: 6,
  /** Interrupted (SIGINT). */
  interrupted: 130,
});

/** An error that ends the command with a given exit code and a message for the user. */
export class CliError extends Error {
  override name = "CliError";
  readonly exitCode: number;
  constructor(message: string, exitCode: number, options?: { cause?: unknown }) {
    super(message, options);
    this.exitCode = exitCode;
  }
}

/** A usage error: the message, then a hint to run `--help`. */
export function usageError(message: string, command?: string): CliError {
  const help = command ? `demo ${command} --help` : "demo --help";
  return new CliError(`${message}\n(see: ${help})`, EXIT.usage);
}
