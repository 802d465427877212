/** An image platform, as index entries describe it. */
export interface Platform {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string | undefined;
}

/** Which layer of a manifest to serve. Both fields set means both must match. */
export interface LayerSelector {
  /** The layer's `mediaType`. */
  readonly mediaType?: string | undefined;
  /** The layer's `org.opencontainers.image.title` annotation (its file name). */
  readonly title?: string | undefined;
}

/** Which manifest of an index (or Docker manifest list) to follow. */
export interface ManifestSelector {
  /** The entry's platform; `variant` is compared only when given. */
  readonly platform?: Platform | undefined;
  /** Annotations the entry must carry, every one with exactly this value. */
  readonly annotations?: Readonly<Record<string, string>> | undefined;
}

const PART = /^[A-Za-z0-9._-]+$/;

/** Parses `os/arch[/variant]` (`linux/arm64/v8`); undefined when malformed. */
export function parsePlatform(text: string): Platform | undefined {
  const parts = text.split("/");
  if (parts.length < 2 || parts.length > 3 || !parts.every((p) => PART.test(p))) return undefined;
  const [os, architecture, variant] = parts as [string, string, string | undefined];
  return variant === undefined ? { os, architecture } : { os, architecture, variant };
}

/** `os/arch[/variant]`. */
export function formatPlatform(platform: Platform): string {
  return [platform.os, platform.architecture, platform.variant].filter(Boolean).join("/");
}
