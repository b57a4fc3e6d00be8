import { describe, expect, it } from "vitest";
import { choiceLabel, fieldsFor, parseNumber, setValue } from "./schemaForm";
import type { JsonSchema } from "./types";

const schema: JsonSchema = {
  type: "object",
  required: ["box"],
  properties: {
    greeting: {
      type: "object",
      title: "Greeting",
      nullable: true,
      properties: { audio: { type: "string", format: "audio" }, text: { type: "string", maxLength: 2000 } },
    },
    box: { type: "string", format: "voicemail_box", title: "Voicemail box" },
    max_length: { type: "integer", minimum: 5, maximum: 600, default: 120 },
    play_beep: { type: "boolean", default: true },
    finish_on_key: { type: "string", enum: ["", "#", "*"] },
    members: { type: "array", maxItems: 50, items: { type: "string" } },
    options: {
      type: "array",
      items: { type: "object", required: ["digit"], properties: { digit: { type: "string", enum: ["1", "2"] } } },
    },
    extra: { type: "object", additionalProperties: { type: "string" } },
  },
};

describe("schema -> form fields", () => {
  const fields = fieldsFor(schema);
  const byKey = Object.fromEntries(fields.map((f) => [f.key, f]));

  it("puts required fields first", () => {
    expect(fields[0].key).toBe("box");
    expect(fields[0].required).toBe(true);
  });

  it("maps each schema type to a control", () => {
    expect(byKey.box.kind).toBe("voicemail_box");
    expect(byKey.box.label).toBe("Voicemail box");
    expect(byKey.max_length).toMatchObject({ kind: "number", min: 5, max: 600, step: 1, label: "Max length" });
    expect(byKey.play_beep.kind).toBe("boolean");
    expect(byKey.finish_on_key).toMatchObject({ kind: "select", options: ["", "#", "*"] });
    expect(byKey.extra.kind).toBe("json");
  });

  it("nests objects (a prompt: audio or text) and lists", () => {
    expect(byKey.greeting.kind).toBe("object");
    expect(byKey.greeting.fields!.map((f) => [f.key, f.kind])).toEqual([
      ["audio", "audio"],
      ["text", "textarea"],
    ]);
    expect(byKey.members.kind).toBe("list");
    expect(byKey.members.item!.kind).toBe("text");
    expect(byKey.options.item!.kind).toBe("object");
    expect(byKey.options.item!.fields![0]).toMatchObject({ key: "digit", kind: "select", required: true });
  });
});

describe("values", () => {
  it("removes emptied values so the schema's defaults apply", () => {
    expect(setValue({ a: 1, b: "x" }, "b", "")).toEqual({ a: 1 });
    expect(setValue({ a: 1 }, "p", {})).toEqual({ a: 1 });
    expect(setValue({ a: 1 }, "p", { text: "Hej" })).toEqual({ a: 1, p: { text: "Hej" } });
    expect(setValue({}, "list", [])).toEqual({ list: [] });
    expect(setValue({}, "flag", false)).toEqual({ flag: false });
  });

  it("parses numbers from inputs", () => {
    expect(parseNumber("", true)).toBeUndefined();
    expect(parseNumber("12.7", true)).toBe(12);
    expect(parseNumber("2.5", false)).toBe(2.5);
    expect(parseNumber("abc", true)).toBeUndefined();
  });

  it("picks phone-number fields by the schema's format, not the field's name", () => {
    const form = fieldsFor({
      type: "object",
      properties: {
        shown: { type: "string", format: "caller_id", default: "caller" },
        number: { type: "string", format: "e164", pattern: "^\\+[1-9]\\d{6,14}$" },
        members: { type: "array", items: { type: "string", format: "phone_or_sip" } },
        caller_id: { type: "string" },
      },
    });
    const kinds = Object.fromEntries(form.map((f) => [f.key, f.kind]));
    expect(kinds).toEqual({ shown: "own_number", number: "phone", members: "list", caller_id: "text" });
    expect(form.find((f) => f.key === "members")!.item!.kind).toBe("phone");
  });

  it("shows a choice by its title from the server, else by its value", () => {
    const [spec] = fieldsFor({
      type: "object",
      properties: { strategy: { type: "string", enum: ["simultaneous", "x"], choices: { simultaneous: "Alle på én gang" } } },
    });
    expect(choiceLabel(spec, "simultaneous")).toBe("Alle på én gang");
    expect(choiceLabel(spec, "x")).toBe("x");
  });
});
