import { type Client, createClient, isSwitchyardError, type Middleware } from "@switchyard/core";
import { CliError, EXIT } from "../cli/exit-codes.ts";
import type { PluginName } from "../plugin-names.ts";
import { assembleClient, type FlagValues } from "./client-flags.ts";
import { ConfigError } from "./load-config.ts";

/**
 * The client a command runs with, from `--config` and the flags; bad config or client options
 * become a CliError with the config exit code.
 */
export async function createCliClient(
  values: FlagValues,
  command: string,
  extra: readonly Middleware[] = [],
): Promise<{ client: Client; plugins: readonly PluginName[] }> {
  try {
    const assembled = await assembleClient(values, command);
    const middleware = [...(assembled.options.middleware ?? []), ...extra];
    return { client: createClient({ ...assembled.options, middleware }), plugins: assembled.plugins };
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message, EXIT.config, { cause: error });
    if (isSwitchyardError(error, "SWITCHYARD_ERR_INVALID_OPTIONS")) {
      throw new CliError(`client options: ${error.message}`, EXIT.config, { cause: error });
    }
    throw error;
  }
}
