// Numbers the matrix's plugin settings and its scenarios share. Kept apart from matrix-plugins.ts
// so the scenarios (and the help text built from them) load without loading every plugin.

/** Prefix of the dead primary that the mirror plugin maps to the mirror host. */
export const MIRRORED_PREFIX = "/pkgs";

/** Requests the breaker needs in its window before it may open (more than retry's four attempts). */
export const BREAKER_MINIMUM_REQUESTS = 5;
