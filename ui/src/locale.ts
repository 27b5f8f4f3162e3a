// Under the POSIX locale (LANG=C), WebKitGTK reports navigator.language as "C", which Intl
// rejects; libraries that build a number format when they load (uPlot) then throw and take
// the whole window down. Fall back to a tag Intl accepts. Imported first by main.ts.
try {
  new Intl.NumberFormat(navigator.language);
} catch {
  Object.defineProperty(Navigator.prototype, "language", { get: () => "en-US", configurable: true });
}
export {};
