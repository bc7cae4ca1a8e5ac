import { describe, expect, it } from "vitest";
import { formatCountdown, msUntil, spokenCountdown, spokenSpan } from "./time";

describe("countdown formatting", () => {
  it("is mm:ss, rounding up partial seconds", () => {
    expect(formatCountdown(300_000)).toBe("05:00");
    expect(formatCountdown(299_001)).toBe("05:00");
    expect(formatCountdown(299_000)).toBe("04:59");
    expect(formatCountdown(61_000)).toBe("01:01");
    expect(formatCountdown(9_000)).toBe("00:09");
    expect(formatCountdown(1)).toBe("00:01");
  });

  it("keeps counting minutes past an hour", () => {
    expect(formatCountdown(3_723_000)).toBe("62:03");
  });

  it("is 00:00 at zero, past, or for an unreadable time", () => {
    expect(formatCountdown(0)).toBe("00:00");
    expect(formatCountdown(-5_000)).toBe("00:00");
    expect(formatCountdown(Number.NaN)).toBe("00:00");
    expect(formatCountdown(msUntil("not a date", Date.now()))).toBe("00:00");
  });

  it("measures to an ISO instant", () => {
    expect(msUntil("2030-01-01T10:05:00Z", Date.parse("2030-01-01T10:00:00Z"))).toBe(300_000);
  });

  it("has a spoken form for screen readers", () => {
    expect(spokenCountdown(300_000)).toBe("5 minutes left");
    expect(spokenCountdown(61_000)).toBe("1 minute 1 second left");
    expect(spokenCountdown(10_000)).toBe("10 seconds left");
    expect(spokenCountdown(0)).toBe("0 seconds left");
  });
});

describe("spokenSpan", () => {
  it("says whole minutes as minutes, anything else in seconds", () => {
    expect(spokenSpan(120)).toBe("2 minutes");
    expect(spokenSpan(60)).toBe("1 minute");
    expect(spokenSpan(90)).toBe("90 seconds");
    expect(spokenSpan(1)).toBe("1 second");
    expect(spokenSpan(0)).toBe("0 seconds");
  });
});
