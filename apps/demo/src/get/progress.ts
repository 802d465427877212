/** Formats a byte count: `512 B`, `1.5 KiB`, `12.3 MiB`, `2.00 GiB`. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value < 10 ? value.toFixed(2) : value < 100 ? value.toFixed(1) : value.toFixed(0)} ${units[unit]}`;
}

/** Formats seconds: `7s`, `2m05s`, `1h02m`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "?";
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

/** What a progress line shows at one moment. */
export interface ProgressState {
  readonly bytes: number;
  /** Total from `Content-Length`, when known. */
  readonly total: number | undefined;
  readonly elapsedMs: number;
}

/** The numbers of a progress line: bytes so far, rate, percentage and ETA when the total is known. */
export function progressFields(state: ProgressState): {
  done: string;
  rate: string;
  percent?: number;
  eta?: string;
} {
  const seconds = state.elapsedMs / 1000;
  const rate = seconds > 0 ? state.bytes / seconds : 0;
  const done =
    state.total === undefined
      ? formatBytes(state.bytes)
      : `${formatBytes(state.bytes)} / ${formatBytes(state.total)}`;
  if (state.total === undefined || state.total === 0)
    return { done, rate: `${formatBytes(Math.round(rate))}/s` };
  const percent = Math.min(100, (state.bytes / state.total) * 100);
  const eta = rate > 0 ? formatDuration((state.total - state.bytes) / rate) : "?";
  return { done, rate: `${formatBytes(Math.round(rate))}/s`, percent, eta };
}

/** A bar for a terminal: `[#########...........]  45%  12.3 MiB / 27.0 MiB  5.10 MiB/s  ETA 3s`. */
export function renderBar(state: ProgressState, width = 24): string {
  const f = progressFields(state);
  if (f.percent === undefined) {
    // Unknown length: a bouncing marker so the line still shows movement.
    const pos = Math.floor(state.elapsedMs / 100) % (width * 2 - 2);
    const at = pos < width ? pos : width * 2 - 2 - pos;
    const bar = `${" ".repeat(at)}<=>${" ".repeat(Math.max(0, width - at - 3))}`.slice(0, width);
    return `[${bar}]  ${f.done}  ${f.rate}`;
  }
  const filled = Math.round((f.percent / 100) * width);
  return `[${"#".repeat(filled)}${".".repeat(width - filled)}] ${f.percent.toFixed(0).padStart(3)}%  ${f.done}  ${f.rate}  ETA ${f.eta}`;
}

/** A plain line for logs and pipes: `progress 12.3 MiB / 27.0 MiB (45%) 5.10 MiB/s ETA 3s`. */
export function renderLine(state: ProgressState): string {
  const f = progressFields(state);
  if (f.percent === undefined) return `progress ${f.done} ${f.rate}`;
  return `progress ${f.done} (${f.percent.toFixed(0)}%) ${f.rate} ETA ${f.eta}`;
}

/** Where progress goes and how often. */
export interface ProgressReporter {
  update(bytes: number): void;
  /** Draws the final state (the bar at 100 %, or a last line). */
  finish(bytes: number): void;
  /** Clears a bar (so other lines can be printed), keeping state. */
  clear(): void;
}

/**
 * On a terminal, redraws one bar in place at most 10 times a second; otherwise prints a plain line
 * at most once a second (and at the end), so logs stay readable.
 */
export function createProgress(
  stream: { write(text: string): unknown; isTTY?: boolean; columns?: number },
  total: number | undefined,
  now: () => number = performance.now.bind(performance),
): ProgressReporter {
  const started = now();
  const tty = stream.isTTY === true;
  let last = Number.NEGATIVE_INFINITY;
  let drawn = false;
  const state = (bytes: number) => ({ bytes, total, elapsedMs: now() - started });
  const draw = (bytes: number) => {
    if (tty) {
      stream.write(`\r${renderBar(state(bytes))}\x1b[K`);
      drawn = true;
    } else {
      stream.write(`${renderLine(state(bytes))}\n`);
    }
  };
  return {
    update(bytes) {
      const t = now();
      if (t - last < (tty ? 100 : 1000)) return;
      last = t;
      draw(bytes);
    },
    finish(bytes) {
      draw(bytes);
      if (tty) stream.write("\n");
      drawn = false;
    },
    clear() {
      if (tty && drawn) {
        stream.write("\r\x1b[K");
        drawn = false;
        last = Number.NEGATIVE_INFINITY;
      }
    },
  };
}
