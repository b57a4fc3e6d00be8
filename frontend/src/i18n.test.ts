import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { STRINGS, translate, valueLabel } from "./i18n";

describe("UI strings", () => {
  it("has every key in both languages, none empty", () => {
    const en = Object.keys(STRINGS.en).sort();
    expect(Object.keys(STRINGS.da).sort()).toEqual(en);
    for (const lang of ["en", "da"] as const) {
      for (const key of en) expect(STRINGS[lang][key as keyof typeof STRINGS.en].trim()).not.toBe("");
    }
  });

  it("uses the same placeholders in both languages", () => {
    const names = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const key of Object.keys(STRINGS.en) as (keyof typeof STRINGS.en)[]) {
      expect(names(STRINGS.da[key]), key).toEqual(names(STRINGS.en[key]));
    }
  });

  it("fills placeholders", () => {
    expect(translate("en", "publishBlocked", { n: 3 })).toBe("Fix 3 error(s) before publishing");
    expect(translate("da", "publishedOk", { n: 2 })).toBe("Udgivet som version 2");
  });

  it("defines every key the components use", () => {
    const dir = dirname(fileURLToPath(import.meta.url));
    const used = new Set<string>();
    const files = readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".tsx"));
    expect(files).toContain(join("admin", "Inbox.tsx"));
    for (const file of files) {
      const source = readFileSync(join(dir, file), "utf8");
      for (const match of source.matchAll(/\bt\("(\w+)"/g)) used.add(match[1]);
    }
    expect(used.size).toBeGreaterThan(200);
    for (const key of used) expect(STRINGS.en, key).toHaveProperty(key);
  });

  it("defines the keys built from a prefix and a server value", () => {
    const families: Record<string, string[]> = {
      state_: ["open", "claimed", "handled", "all"],
      use_: ["prompt", "queue_message", "hold_music"],
      rights_: ["own_recording", "royalty_free", "public_domain", "koda_gramex"],
      status_: ["processing", "ready", "failed", "rights_expired"],
      role_: ["staff", "org_admin", "system_admin"],
      class_: ["voicemail", "fax", "call", "delivery_log", "audit"],
      delivery_: ["dead", "pending", "delivered", "all"],
      outcome_: ["answered", "no_answer", "busy", "failed", "overflow", "full", "hangup", "recorded"],
    };
    for (const [prefix, values] of Object.entries(families)) {
      for (const value of values) expect(STRINGS.en, prefix + value).toHaveProperty(prefix + value);
    }
  });

  it("labels server values, and shows unknown ones as they are", () => {
    expect(valueLabel("en", "rights_", "own_recording")).toBe("Own recording");
    expect(valueLabel("da", "rights_", "own_recording")).toBe("Egen optagelse");
    expect(valueLabel("da", "outcome_", "no-answer")).toBe("intet svar");
    expect(valueLabel("da", "outcome_", "something-new")).toBe("something-new");
    expect(valueLabel("en", "outcome_", "constructor")).toBe("constructor");
  });
});
