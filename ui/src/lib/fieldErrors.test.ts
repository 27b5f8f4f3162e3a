import { describe, expect, it } from "vitest";
import { BackendError } from "./backend";
import { formError, parseLabels } from "./fieldErrors";

describe("form errors", () => {
  it("puts a refusal beside the field the error names, whatever its message says", () => {
    const refused = { code: "invalid_input", message: "The subnet is no good", field: "subnet" } as const;
    expect(formError(refused, ["name", "subnet"])).toEqual({ field: "subnet", message: "The subnet is no good" });
    // The message names a field, the error does not: it is not guessed from the text.
    const unnamed = new BackendError({ code: "invalid_input", message: "The subnet is no good" });
    expect(formError(unnamed, ["name", "subnet"])).toEqual({ field: null, message: "Invalid input: The subnet is no good" });
    // A field the form does not show is said above the buttons, not lost.
    const other = new BackendError({ code: "invalid_input", message: "No such driver", field: "driver" });
    expect(formError(other, ["name", "subnet"]).field).toBeNull();
  });

  it("keeps engine refusals whole, with their meaning", () => {
    const engine = formError(new BackendError({ code: "conflict", message: "network with name x already exists" }), ["name"]);
    expect(engine).toEqual({ field: null, message: "Not possible in its current state (in use, or already there): network with name x already exists" });
  });

  it("reads labels one per line", () => {
    expect(parseLabels("team=db\n\n tier = back \nflag")).toEqual([["team", "db"], ["tier", "back"], ["flag", ""]]);
  });
});
