import { describe, expect, it } from "vitest";
import { flushBeforeLeave, leavesPage, routeOf } from "./leaveGuard";

function steps(opts: { dirty: boolean; saves: boolean | "throws"; dirtyAfter?: boolean; answer?: boolean }) {
  const calls: string[] = [];
  let dirty = opts.dirty;
  return {
    calls,
    isDirty: () => dirty,
    save: async () => {
      calls.push("save");
      if (opts.saves === "throws") throw new Error("offline");
      if (opts.saves) dirty = opts.dirtyAfter ?? false;
      return opts.saves;
    },
    confirm: () => {
      calls.push("confirm");
      return opts.answer ?? false;
    },
  };
}

describe("leaving the editor", () => {
  it("leaves at once when everything is saved", async () => {
    const s = steps({ dirty: false, saves: true });
    expect(await flushBeforeLeave(s)).toBe(true);
    expect(s.calls).toEqual([]);
  });

  it("saves the pending change first, then leaves without asking", async () => {
    const s = steps({ dirty: true, saves: true });
    expect(await flushBeforeLeave(s)).toBe(true);
    expect(s.calls).toEqual(["save"]);
  });

  it("asks when the save fails or conflicts, and stays on no", async () => {
    const refused = steps({ dirty: true, saves: false, answer: false });
    expect(await flushBeforeLeave(refused)).toBe(false);
    expect(refused.calls).toEqual(["save", "confirm"]);
    const agreed = steps({ dirty: true, saves: false, answer: true });
    expect(await flushBeforeLeave(agreed)).toBe(true);
  });

  it("asks when saving throws or something changed again meanwhile", async () => {
    const thrown = steps({ dirty: true, saves: "throws" });
    expect(await flushBeforeLeave(thrown)).toBe(false);
    expect(thrown.calls).toEqual(["save", "confirm"]);
    const changed = steps({ dirty: true, saves: true, dirtyAfter: true });
    expect(await flushBeforeLeave(changed)).toBe(false);
    expect(changed.calls).toEqual(["save", "confirm"]);
  });

  it("tells a route change from a re-read of the same page", () => {
    expect(routeOf("#/flows/3")).toBe("flows/3");
    expect(routeOf("#/flows/3/?x=1")).toBe("flows/3");
    expect(leavesPage("#/flows/3", "#/flows/3/")).toBe(false);
    expect(leavesPage("#/flows/3", "#/flows")).toBe(true);
    expect(leavesPage("#/flows/3", "#/flows/4")).toBe(true);
    expect(leavesPage("#/flows/3", "#/")).toBe(true);
  });
});
