import { describe, expect, it } from "vitest";
import { AddressPolicy, parseCidr } from "./address-policy.ts";

const strict = new AddressPolicy([], []);

describe("AddressPolicy", () => {
  it.each([
    ["0.0.0.0", "unspecified"],
    ["0.1.2.3", "unspecified"],
    ["127.0.0.1", "loopback"],
    ["127.255.255.254", "loopback"],
    ["10.0.0.1", "private"],
    ["172.16.5.4", "private"],
    ["192.168.1.1", "private"],
    ["100.64.0.1", "carrierGradeNat"],
    ["100.100.100.200", "carrierGradeNat"], // Alibaba Cloud metadata
    ["169.254.169.254", "linkLocal"], // AWS, GCP, Azure metadata
    ["192.0.0.192", "reserved"], // Oracle Cloud metadata
    ["224.0.0.1", "multicast"],
    ["255.255.255.255", "broadcast"],
    ["192.0.2.10", "reserved"],
    ["::", "unspecified"],
    ["::1", "loopback"],
    ["fe80::1", "linkLocal"],
    ["fc00::1", "uniqueLocal"],
    ["fd00:ec2::254", "uniqueLocal"], // AWS IMDS over IPv6
    ["ff02::1", "multicast"],
    ["::ffff:127.0.0.1", "ipv4Mapped(loopback)"],
    ["::ffff:7f00:1", "ipv4Mapped(loopback)"],
    ["0:0:0:0:0:ffff:a9fe:a9fe", "ipv4Mapped(linkLocal)"],
    ["::ffff:0:a00:1", "rfc6145(private)"],
    ["64:ff9b::a9fe:a9fe", "rfc6052(linkLocal)"],
    ["2002:7f00:1::", "6to4(loopback)"],
    ["2001:0:4136:e378:8000:63bf:80ff:fffe", "teredo(loopback)"],
    ["[::1]", "loopback"],
  ])("refuses %s (%s)", (address, range) => {
    expect(strict.check(address)?.range).toBe(range);
  });

  it.each(["8.8.8.8", "93.184.216.34", "2606:4700:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808"])(
    "allows the public address %s",
    (address) => {
      expect(strict.check(address)).toBeUndefined();
    },
  );

  it("lets the allow-list win and the deny-list add", () => {
    const policy = new AddressPolicy(
      [parseCidr("127.0.0.1"), parseCidr("10.20.0.0/16")],
      [parseCidr("8.8.8.0/24")],
    );
    expect(policy.check("127.0.0.1")).toBeUndefined();
    expect(policy.check("127.0.0.2")?.range).toBe("loopback");
    expect(policy.check("10.20.3.4")).toBeUndefined();
    expect(policy.check("10.21.3.4")?.range).toBe("private");
    expect(policy.check("8.8.8.8")?.range).toBe("denied");
    // An allowed IPv4 address is allowed in its IPv4-mapped form too.
    expect(policy.check("::ffff:127.0.0.1")).toBeUndefined();
  });

  it("refuses what is not an address", () => {
    expect(strict.check("example.com")?.range).toBe("invalid");
  });

  it("parses allow/deny entries or throws", () => {
    expect(parseCidr("[::1]")[1]).toBe(128);
    expect(parseCidr("10.0.0.0/8")[1]).toBe(8);
    expect(() => parseCidr("10.0.0.0/33")).toThrow();
    expect(() => parseCidr("localhost")).toThrow(/not an IP address/);
  });
});
