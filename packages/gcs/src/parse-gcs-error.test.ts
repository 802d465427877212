import { describe, expect, it } from "vitest";
import { parseGcsError, reasonForStatus } from "./parse-gcs-error.ts";

describe("parseGcsError", () => {
  it.each([
    [
      '{"error":{"code":401,"message":"Invalid Credentials","errors":[{"message":"Invalid Credentials","domain":"global","reason":"authError","locationType":"header","location":"Authorization"}]}}',
      { reason: "authError", message: "Invalid Credentials" },
    ],
    [
      '{"error":{"code":404,"message":"No such object: b/o","errors":[{"reason":"notFound"}]}}',
      { reason: "notFound", message: "No such object: b/o" },
    ],
    [
      '{"error":{"code":403,"message":"denied","status":"PERMISSION_DENIED"}}',
      { reason: "PERMISSION_DENIED", message: "denied" },
    ],
    [
      "<?xml version='1.0' encoding='UTF-8'?><Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>",
      { reason: "NoSuchKey", message: "The specified key does not exist." },
    ],
    [
      "<Error><Code>AccessDenied</Code><Message>a &amp; b</Message></Error>",
      { reason: "AccessDenied", message: "a & b" },
    ],
  ])("reads %#", (text, expected) => {
    expect(parseGcsError(text)).toEqual(expected);
  });

  it.each([
    [""],
    ["{"],
    ['{"error":"invalid_grant"}'],
    ["<html>nope</html>"],
    ["<Error><Message>x</Message></Error>"],
  ])("gives undefined for %j", (text) => {
    expect(parseGcsError(text)).toBeUndefined();
  });

  it.each([
    [401, "unauthorized"],
    [404, "notFound"],
    [429, "rateLimitExceeded"],
    [418, "http418"],
  ])("reasonForStatus(%i) = %s", (status, reason) => {
    expect(reasonForStatus(status)).toBe(reason);
  });
});
