import { describe, expect, it } from "vitest";
import type { NumberChoice } from "./api";
import { translate } from "./i18n";
import { ownNumberChoices, phonePlaceholder, phoneProblem } from "./phone";

const t = (key: Parameters<typeof translate>[1], vars?: Record<string, string | number>) => translate("en", key, vars);
const numbers: NumberChoice[] = [
  { id: 1, e164: "+4570121212", label: "Reception", voice_flow_id: 3, voice_flow_name: "main" },
  { id: 2, e164: "+4570131313", label: "", voice_flow_id: null, voice_flow_name: null },
];
const E164 = "^\\+[1-9]\\d{6,14}$";
const PHONE_OR_SIP = "^(?:\\+[1-9]\\d{6,14}|sips?:[^@\\s:;]+@[A-Za-z0-9.\\-]+(:\\d{1,5})?(;[^\\s]*)?)$";

describe("own-number picker", () => {
  it("offers the caller's number, then the org's numbers", () => {
    expect(ownNumberChoices(numbers, "caller", t)).toEqual([
      { value: "caller", label: "The caller's own number" },
      { value: "+4570121212", label: "+4570121212 (Reception)" },
      { value: "+4570131313", label: "+4570131313" },
    ]);
  });

  it("keeps a stored value that is not one of the numbers, marked", () => {
    const choices = ownNumberChoices(numbers, "+4511111111", t);
    expect(choices).toHaveLength(4);
    expect(choices[3]).toEqual({ value: "+4511111111", label: "+4511111111 (not one of our numbers)" });
    expect(ownNumberChoices([], "", t)).toHaveLength(1);
  });
});

describe("outside numbers", () => {
  it("checks E.164 with the server's rule", () => {
    const schema = { type: "string", format: "e164", pattern: E164 };
    expect(phoneProblem("+4512345678", schema)).toBeNull();
    expect(phoneProblem("", schema)).toBeNull();
    expect(phoneProblem("12345678", schema)).toBe("notE164");
    expect(phoneProblem("+45 1234 5678", schema)).toBe("notE164");
    expect(phonePlaceholder(schema)).toBe("+4512345678");
  });

  it("accepts a SIP address where the rule allows one", () => {
    const schema = { type: "string", format: "phone_or_sip", pattern: PHONE_OR_SIP };
    expect(phoneProblem("sip:101@pbx.example.dk", schema)).toBeNull();
    expect(phoneProblem("+4512345678", schema)).toBeNull();
    expect(phoneProblem("101", schema)).toBe("notPhoneOrSip");
    expect(phonePlaceholder(schema)).toContain("sip:");
  });

  it("leaves fields without a rule alone", () => {
    expect(phoneProblem("anything", { type: "string", format: "e164" })).toBeNull();
    expect(phoneProblem("x", { type: "string", format: "e164", pattern: "(" })).toBeNull();
  });
});
