import { randomBytes } from "node:crypto";
import diagnosticsChannel from "node:diagnostics_channel";
import { channels as coreChannels } from "@switchyard/core";
import type { CheckContext } from "../check-context.ts";
import { findSecrets, type SecretFinding, secretForms } from "../secret-scan.ts";
import { settle } from "../settle.ts";

/**
 * No planted secret leaks: a unique secret each in the URL's userinfo, a `token` query parameter
 * and an `Authorization` header, on a call that succeeds and on one that fails (the server closes
 * the socket). Every event on core's channels and on the channels the middleware declares
 * (`options.channels`) is captured, and the error's message, stack, own properties and cause
 * chain and every event payload are searched for each secret, percent-encoded and base64 too.
 */
export async function checkNoSecretLeak(ctx: CheckContext): Promise<void> {
  const tag = randomBytes(9).toString("hex");
  const username = "conformance";
  const secrets = {
    "the URL password": `sy-pw-${tag}`,
    "the token query parameter": `sy-qt-${tag}`,
    "the Authorization header": `sy-bt-${tag}`,
  };
  const forms = new Map(secretForms(secrets));
  forms.set(
    Buffer.from(`${username}:${secrets["the URL password"]}`).toString("base64").replace(/=+$/, ""),
    "the URL userinfo (as Basic credentials)",
  );

  const names = [...Object.values(coreChannels).map((c) => String(c.name)), ...ctx.options.channels];
  const events: { channel: string; message: unknown }[] = [];
  const onMessage = (message: unknown, name: string | symbol): void => {
    events.push({ channel: String(name), message });
  };
  for (const name of names) diagnosticsChannel.subscribe(name, onMessage);

  const findings: SecretFinding[] = [];
  const headers = { authorization: `Bearer ${secrets["the Authorization header"]}` };
  const secretUrl = (route: "ok" | "close"): string =>
    ctx.url(route, {
      username,
      password: secrets["the URL password"],
      query: { token: secrets["the token query parameter"] },
    });
  try {
    const client = ctx.client();
    const ok = await settle(client.request(secretUrl("ok"), { headers }));
    if (ok.ok) await ok.value.text();
    else findings.push(...findSecrets(ok.error, forms, "the error of the call that should succeed"));
    const failed = await settle(client.request(secretUrl("close"), { headers }));
    if (failed.ok) await failed.value.discard();
    else findings.push(...findSecrets(failed.error, forms, "the error"));
  } finally {
    for (const name of names) diagnosticsChannel.unsubscribe(name, onMessage);
  }
  events.forEach(({ channel, message }, i) => {
    findings.push(...findSecrets(message, forms, `event ${i + 1} (${channel})`));
  });
  if (findings.length > 0) {
    const where = findings
      .slice(0, 5)
      .map((f) => `${f.form} in ${f.path}`)
      .join("; ");
    ctx.fail(
      `a planted secret leaked: ${where}${findings.length > 5 ? ` (and ${findings.length - 5} more)` : ""}. Redact URLs with redactUrl, headers with redactHeaders, never put header values or userinfo in messages or events`,
    );
  }
}
