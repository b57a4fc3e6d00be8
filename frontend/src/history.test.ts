import { describe, expect, it } from "vitest";
import { History } from "./history";

describe("undo/redo", () => {
  it("undoes and redoes in order", () => {
    const h = new History("a");
    h.push("b");
    h.push("c");
    expect(h.undo()).toBe("b");
    expect(h.undo()).toBe("a");
    expect(h.undo()).toBeUndefined();
    expect(h.current).toBe("a");
    expect(h.redo()).toBe("b");
    expect(h.current).toBe("b");
  });

  it("drops the redo branch on a new change", () => {
    const h = new History(1);
    h.push(2);
    h.undo();
    expect(h.canRedo).toBe(true);
    h.push(3);
    expect(h.canRedo).toBe(false);
    expect(h.undo()).toBe(1);
  });

  it("coalesces consecutive edits of the same field into one step", () => {
    const h = new History("");
    h.push("H", "menu.prompt");
    h.push("He", "menu.prompt");
    h.push("Hej", "menu.prompt");
    h.push("Hej!", "menu.timeout");
    expect(h.undo()).toBe("Hej");
    expect(h.undo()).toBe("");
    expect(h.canUndo).toBe(false);
  });

  it("keeps at most ``limit`` steps", () => {
    const h = new History(0, 3);
    for (let i = 1; i <= 10; i++) h.push(i);
    expect([h.undo(), h.undo(), h.undo(), h.undo()]).toEqual([9, 8, 7, undefined]);
  });

  it("forgets everything on reset", () => {
    const h = new History("x");
    h.push("y");
    h.reset("z");
    expect(h.canUndo).toBe(false);
    expect(h.current).toBe("z");
  });
});
