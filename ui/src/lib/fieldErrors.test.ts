import { describe, expect, it } from "vitest";
import { BackendError } from "./backend";
import { fieldOf, formError, parseLabels } from "./fieldErrors";

describe("form errors", () => {
  it("finds the field the core's message names", () => {
    expect(fieldOf('The subnet "10.0.0.0" is not an address/prefix', ["the name", "the subnet"])).toBe("the subnet");
    expect(fieldOf("The network name \"a b\" must…", ["the network name", "the subnet"])).toBe("the network name");
    expect(fieldOf('"Nginx" is not a valid image reference', ["the name", "image reference"])).toBe("image reference");
    expect(fieldOf("something else", ["the name"])).toBeNull();
  });

  it("keeps engine refusals whole, with their meaning", () => {
    const engine = formError(new BackendError("conflict", "network with name x already exists"), ["the name"]);
    expect(engine).toEqual({ field: null, message: "Not possible in its current state (in use, or already there): network with name x already exists" });
  });

  it("reads labels one per line", () => {
    expect(parseLabels("team=db\n\n tier = back \nflag")).toEqual([["team", "db"], ["tier", "back"], ["flag", ""]]);
  });
});
