/**
 * Largest delay accepted from `delay-seconds`, in seconds (2^31 - 1, about 68 years). Bigger
 * numbers are clamped to it: the server clearly means "much later", and a finite deadline keeps the
 * arithmetic safe (the `maxWait` cap then fails the call fast).
 */
export const MAX_DELAY_SECONDS = 2_147_483_647;

const DELAY_SECONDS = /^\d+$/;

const DAY = "(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)";
const LONG_DAY = "(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)";
const MONTH = "(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)";
const TIME = "(\\d{2}):(\\d{2}):(\\d{2})";

// RFC 9110 §5.6.7. Matching is case-sensitive, as the grammar is.
const IMF_FIXDATE = new RegExp(`^${DAY}, (\\d{2}) ${MONTH} (\\d{4}) ${TIME} GMT$`);
const RFC850_DATE = new RegExp(`^${LONG_DAY}, (\\d{2})-${MONTH}-(\\d{2}) ${TIME} GMT$`);
const ASCTIME_DATE = new RegExp(`^${DAY} ${MONTH} ([ \\d]\\d) ${TIME} (\\d{4})$`);

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/**
 * Parses a `Retry-After` value into an absolute deadline (epoch milliseconds), or `undefined` when
 * the value is not valid. Never throws.
 *
 * Accepts, per RFC 9110 §10.2.3, `delay-seconds` (digits only; surrounding whitespace tolerated) and
 * an HTTP-date in any of its three forms: IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), the
 * obsolete RFC 850 form (`Sunday, 06-Nov-94 08:49:37 GMT`) and asctime (`Sun Nov  6 08:49:37 1994`).
 * Negative, fractional and signed numbers are invalid. A date in the past yields a deadline at or
 * before `now`, which callers treat as "no wait".
 *
 * @param value the header value
 * @param now the current time in epoch milliseconds (the base for delay-seconds and for RFC 850's
 *   two-digit years)
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (typeof value !== "string" || !Number.isFinite(now)) return undefined;
  const text = value.trim();
  if (text.length === 0 || text.length > 64) return undefined;
  if (DELAY_SECONDS.test(text)) return now + parseDelaySeconds(text) * 1000;
  return parseHttpDate(text, now);
}

/** Parses `delay-seconds`, clamped to {@link MAX_DELAY_SECONDS}. */
function parseDelaySeconds(digits: string): number {
  // Long digit strings would round or overflow; anything past 10 digits is beyond the clamp anyway.
  if (digits.replace(/^0+/, "").length > 10) return MAX_DELAY_SECONDS;
  return Math.min(Number(digits), MAX_DELAY_SECONDS);
}

/**
 * Parses an HTTP-date (any of the three forms) into epoch milliseconds, or `undefined`.
 *
 * @param now used only for RFC 850's two-digit year (RFC 9110 §5.6.7: a year more than 50 years in
 *   the future means the most recent past year with those last two digits)
 */
export function parseHttpDate(text: string, now: number): number | undefined {
  let m = IMF_FIXDATE.exec(text);
  if (m) return toEpoch(Number(m[3]), m[2]!, Number(m[1]), m[4]!, m[5]!, m[6]!);
  m = RFC850_DATE.exec(text);
  if (m) return toEpoch(fullYear(Number(m[3]), now), m[2]!, Number(m[1]), m[4]!, m[5]!, m[6]!);
  m = ASCTIME_DATE.exec(text);
  if (m) return toEpoch(Number(m[6]), m[1]!, Number(m[2]!.trim()), m[3]!, m[4]!, m[5]!);
  return undefined;
}

function fullYear(twoDigits: number, now: number): number {
  const current = new Date(now).getUTCFullYear();
  let year = Math.floor(current / 100) * 100 + twoDigits;
  if (year > current + 50) year -= 100;
  return year;
}

function toEpoch(
  year: number,
  monthName: string,
  day: number,
  hh: string,
  mm: string,
  ss: string,
): number | undefined {
  const month = MONTHS.indexOf(monthName);
  const hours = Number(hh);
  const minutes = Number(mm);
  // RFC 9110 allows a leap second (60); it is read as the next second.
  const seconds = Number(ss);
  if (hours > 23 || minutes > 59 || seconds > 60 || day < 1) return undefined;
  // setUTCFullYear, unlike Date.UTC, does not read years 0-99 as 1900-1999.
  const date = new Date(0);
  date.setUTCFullYear(year, month, day);
  // A day past the month's end rolls over (31 Feb becomes 3 Mar): such a date is invalid.
  if (date.getUTCDate() !== day) return undefined;
  return date.getTime() + ((hours * 60 + minutes) * 60 + seconds) * 1000;
}
