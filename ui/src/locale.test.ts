import { afterEach, expect, it } from "vitest";

const original = Object.getOwnPropertyDescriptor(Navigator.prototype, "language")!;
afterEach(() => Object.defineProperty(Navigator.prototype, "language", original));

it("replaces a language tag Intl rejects (LANG=C) so number formats can be built", async () => {
  Object.defineProperty(Navigator.prototype, "language", { get: () => "C", configurable: true });
  expect(() => new Intl.NumberFormat(navigator.language)).toThrow(RangeError);
  await import("./locale");
  expect(navigator.language).toBe("en-US");
  expect(() => new Intl.NumberFormat(navigator.language)).not.toThrow();
});
