import { describe, expect, it } from "vitest";
import { RetryBudget } from "./retry-budget.ts";

describe("RetryBudget", () => {
  it("starts full with the AWS SDK's standard quota", () => {
    const budget = new RetryBudget();
    expect([budget.capacity, budget.retryCost, budget.timeoutCost, budget.successRefill]).toEqual([
      500, 5, 10, 1,
    ]);
    expect(budget.available).toBe(500);
  });

  it("pays 100 retries from a full bucket, then refuses without taking anything", () => {
    const budget = new RetryBudget();
    for (let i = 0; i < 100; i++) expect(budget.acquire(false)).toBe(5);
    expect(budget.acquire(false)).toBeUndefined();
    expect(budget.available).toBe(0);
  });

  it("charges more for a retry after a timeout", () => {
    const budget = new RetryBudget({ capacity: 15 });
    expect(budget.acquire(true)).toBe(10);
    expect(budget.acquire(true)).toBeUndefined();
    expect(budget.acquire(false)).toBe(5);
  });

  it("refunds a successful retry's cost, and adds successRefill for a first-try success, up to capacity", () => {
    const budget = new RetryBudget({ capacity: 20 });
    const cost = budget.acquire(false);
    budget.acquire(false);
    expect(budget.available).toBe(10);
    budget.release(cost);
    expect(budget.available).toBe(15);
    budget.release(undefined);
    expect(budget.available).toBe(16);
    for (let i = 0; i < 10; i++) budget.release(undefined);
    expect(budget.available).toBe(20);
  });

  it.each([
    [{ capacity: -1 }, /capacity/],
    [{ retryCost: Number.NaN }, /retryCost/],
    [{ timeoutCost: Number.POSITIVE_INFINITY }, /timeoutCost/],
    [{ successRefill: "1" as unknown as number }, /successRefill/],
  ])("refuses %j", (options, message) => {
    expect(() => new RetryBudget(options)).toThrow(message);
  });
});
