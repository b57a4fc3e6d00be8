// Phone-number fields of node forms: the org's own numbers as choices, and outside
// numbers checked inline against the rule the server sends with the schema.
import type { NumberChoice } from "./api";
import type { Key } from "./i18n";
import type { JsonSchema } from "./types";

export interface Choice {
  value: string;
  label: string;
}

type Translate = (key: Key, vars?: Record<string, string | number>) => string;

/** "caller" first, then the org's numbers; a value that is none of them stays visible
 * (marked) so opening the form never changes what is stored. */
export function ownNumberChoices(numbers: NumberChoice[], value: string, t: Translate): Choice[] {
  const choices: Choice[] = [{ value: "caller", label: t("callerIdCaller") }];
  for (const number of numbers) {
    choices.push({ value: number.e164, label: number.label ? `${number.e164} (${number.label})` : number.e164 });
  }
  if (value && !choices.some((c) => c.value === value)) {
    choices.push({ value, label: t("notOurNumber", { number: value }) });
  }
  return choices;
}

/** What is wrong with a typed outside number, as a UI string key; null when it is fine
 * (or empty: "required" is the validator's to say). */
export function phoneProblem(value: string, schema: JsonSchema): Key | null {
  if (!value || !schema.pattern) return null;
  let rule: RegExp;
  try {
    rule = new RegExp(schema.pattern);
  } catch {
    return null;
  }
  if (rule.test(value)) return null;
  return schema.format === "phone_or_sip" ? "notPhoneOrSip" : "notE164";
}

/** The example a phone field shows while empty. */
export function phonePlaceholder(schema: JsonSchema): string {
  return schema.format === "phone_or_sip" ? "+4512345678 / sip:101@pbx.example.dk" : "+4512345678";
}
