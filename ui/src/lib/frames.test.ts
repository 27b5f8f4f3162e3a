// Stream frames as the native side sends them (src-tauri/streams.rs): JSON, or raw bytes with
// a message's bulk text after the frame's JSON.
import { describe, expect, it } from "vitest";
import { readFrame } from "./backend";
import type { LogMessage, StreamFrame } from "./bindings";

/** A raw frame made as the Rust side makes it. */
function raw(frame: object, bulk: string): ArrayBuffer {
  const encoder = new TextEncoder();
  const json = encoder.encode(JSON.stringify(frame));
  const text = encoder.encode(bulk);
  const bytes = new Uint8Array(4 + json.length + text.length);
  new DataView(bytes.buffer).setUint32(0, json.length, true);
  bytes.set(json, 4);
  bytes.set(text, 4 + json.length);
  return bytes.buffer;
}

const restoreLines = (message: LogMessage, text: string) => {
  if (message.kind === "lines") message.batch.text = text;
};

describe("readFrame", () => {
  it("puts a raw frame's bulk text back in its field, multi-byte characters whole", () => {
    const text = "héllo \"quoted\" ▌\n".repeat(3);
    const batch = { text: "", stderr: [1], sources: [], times: [], count: 3 };
    const frame = readFrame<LogMessage>(raw({ bytes: 99, message: { kind: "lines", batch } }, text), restoreLines);
    expect(frame.bytes).toBe(99);
    expect(frame.message).toEqual({ kind: "lines", batch: { ...batch, text } });
  });

  it("reads a raw frame from another realm's ArrayBuffer, a byte view or an array of bytes", () => {
    const buffer = raw({ bytes: 5, message: { kind: "lines", batch: { text: "", stderr: [], sources: [], times: [], count: 1 } } }, "x\n");
    // What `instanceof ArrayBuffer` does not recognize: a buffer made by another global.
    const foreign = Object.setPrototypeOf(buffer.slice(0), Object.create(null, { [Symbol.toStringTag]: { value: "ArrayBuffer" } }));
    for (const data of [foreign, new Uint8Array(buffer), Array.from(new Uint8Array(buffer))]) {
      const frame = readFrame<LogMessage>(data, restoreLines);
      expect(frame.message).toMatchObject({ kind: "lines", batch: { text: "x\n" } });
    }
  });

  it("passes a JSON frame as it came", () => {
    const frame: StreamFrame<LogMessage> = { bytes: 2, message: { kind: "skipped", lines: 990000 } };
    expect(readFrame(frame, restoreLines)).toBe(frame);
  });
});
