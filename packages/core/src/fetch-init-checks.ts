// The RequestInit members fetch checks although a client without a page ignores what they mean:
// a program that passes a bad value gets the TypeError Node's fetch throws, before anything is sent.

const MODES = new Set(["same-origin", "no-cors", "cors", "navigate"]);
const CREDENTIALS = new Set(["omit", "same-origin", "include"]);
const PRIORITIES = new Set(["high", "low", "auto"]);
const REFERRER_POLICIES = new Set([
  "",
  "no-referrer",
  "no-referrer-when-downgrade",
  "same-origin",
  "origin",
  "strict-origin",
  "origin-when-cross-origin",
  "strict-origin-when-cross-origin",
  "unsafe-url",
]);
// no-cors allows only the CORS-safelisted methods.
const SIMPLE_METHODS = new Set(["GET", "HEAD", "POST"]);

function enumMember(name: string, value: unknown, allowed: ReadonlySet<string>): void {
  if (value !== undefined && !allowed.has(String(value))) {
    throw new TypeError(`'${String(value)}' is not a valid value for the ${name} option.`);
  }
}

/**
 * Throws the TypeError fetch's Request constructor throws for `init` (window, mode, credentials,
 * referrerPolicy, referrer, priority, and a no-cors request with a method that is not simple).
 */
export function checkRequestInit(init: RequestInit, method: string): void {
  if ("window" in init && init.window != null) throw new TypeError("RequestInit: window can only be null.");
  enumMember("mode", init.mode, MODES);
  if (init.mode === "navigate") throw new TypeError("Request constructor: invalid request mode navigate.");
  enumMember("credentials", init.credentials, CREDENTIALS);
  enumMember("referrerPolicy", init.referrerPolicy, REFERRER_POLICIES);
  enumMember("priority", (init as { priority?: unknown }).priority, PRIORITIES);
  const referrer = init.referrer;
  if (
    referrer !== undefined &&
    referrer !== "" &&
    referrer !== "about:client" &&
    !URL.canParse(String(referrer))
  ) {
    throw new TypeError(`Referrer "${String(referrer)}" is not a valid URL.`);
  }
  if (init.mode === "no-cors" && !SIMPLE_METHODS.has(method)) {
    throw new TypeError(`'${method}' is unsupported in no-cors mode.`);
  }
}
