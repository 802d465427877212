import { describe, expect, it } from "vitest";
import { bucketNameProblem } from "./bucket-name.ts";

describe("bucketNameProblem", () => {
  it.each([
    "abc",
    "my-bucket",
    "my.dotted.bucket",
    "bucket-1",
    "1bucket",
    "a".repeat(63),
    "xn-bucket",
    "s3alias-first",
    "192.168.5.4a",
    "sthree",
  ])("accepts %s under the AWS rules", (name) => {
    expect(bucketNameProblem(name, "aws")).toBeUndefined();
  });

  it.each([
    ["ab", /2 characters long, not 3 to 63/],
    ["a".repeat(64), /64 characters long/],
    ["bucket-", /starting and ending with a letter or digit/],
    ["-bucket", /starting and ending/],
    ["bucket.", /starting and ending/],
    ["Bucket", /lower-case/],
    ["my_bucket", /lower-case/],
    ["my..bucket", /two adjacent dots/],
    ["192.168.5.4", /IP address/],
    ["10.0.0.1", /IP address/],
    ["xn--bucket", /reserved prefix "xn--"/],
    ["sthree-bucket", /reserved prefix "sthree-"/],
    ["sthree-configurator", /reserved prefix "sthree-"/],
    ["amzn-s3-demo-bucket", /reserved prefix "amzn-s3-demo-"/],
    ["bucket-s3alias", /reserved suffix "-s3alias"/],
    ["bucket--ol-s3", /reserved suffix "--ol-s3"/],
    ["bucket.mrap", /reserved suffix ".mrap"/],
    ["bucket--x-s3", /reserved suffix "--x-s3"/],
    ["bucket--table-s3", /reserved suffix "--table-s3"/],
  ])("refuses %s under the AWS rules", (name, problem) => {
    expect(bucketNameProblem(name, "aws")).toMatch(problem);
  });

  it.each([
    ["ab", undefined],
    ["a".repeat(64), undefined],
    ["a".repeat(255), undefined],
    ["Legacy_Bucket", undefined],
    ["192.168.5.4", undefined],
    ["xn--bucket", undefined],
    ["bucket-s3alias", undefined],
    ["a".repeat(256), /not 2-255/],
    ["-bucket", /not 2-255/],
    ["a", /not 2-255/],
    ["my..bucket", /two adjacent dots/],
    ["has space", /not 2-255/],
  ])("under the relaxed rules %s -> %s", (name, problem) => {
    const result = bucketNameProblem(name, "relaxed");
    if (problem === undefined) expect(result).toBeUndefined();
    else expect(result).toMatch(problem);
  });
});
