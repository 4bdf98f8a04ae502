// The widget's catalogues (www/widget/i18n/<lang>.json) are complete, and the merchant's own
// texts merge over them as documented. No server or browser needed: plain Node.
// (widget/src/i18n.rs checks the same files against the keys the wasm reads.)
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { ROOT } from "../lib/harness.mjs";

const DIR = path.join(ROOT, "www", "widget", "i18n");
const read = (lang) => JSON.parse(readFileSync(path.join(DIR, `${lang}.json`), "utf8"));
const LANGS = readdirSync(DIR).filter((f) => f.endsWith(".json")).map((f) => f.slice(0, -5)).sort();
const english = read("en");
const placeholders = (text) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
const isPlural = (value) => Boolean(value) && typeof value === "object" && !Array.isArray(value);

describe("catalogues", () => {
  test("at least twelve languages, Arabic and Hebrew among them, each offered by the loader", () => {
    assert.ok(LANGS.length >= 12, `${LANGS.length} catalogues`);
    const loader = readFileSync(path.join(ROOT, "www", "widget", "embed.js"), "utf8");
    const offered = JSON.parse(loader.match(/^const LANGUAGES = (\[.*\]);$/m)[1]);
    assert.deepEqual([...offered].sort(), LANGS);
    assert.equal(offered[0], "en", "English is the default");
    for (const lang of ["ar", "he"]) assert.equal(read(lang).dir, "rtl", lang);
  });

  for (const lang of LANGS) {
    test(`${lang}: every key of English, the same placeholders, the plural forms ${lang} needs`, () => {
      const catalogue = read(lang);
      assert.equal(catalogue.lang, lang);
      assert.deepEqual(Object.keys(catalogue).sort(), Object.keys(english).sort(), "the same keys as English");
      // The categories the language distinguishes, as the browser's own rules say (CLDR).
      const needed = new Intl.PluralRules(lang).resolvedOptions().pluralCategories;
      for (const [key, base] of Object.entries(english)) {
        if (key === "lang" || key === "dir") continue;
        const value = catalogue[key];
        if (Array.isArray(base)) {
          assert.ok(Array.isArray(value) && value.length === base.length, `${key}: ${base.length} entries`);
          value.forEach((text, i) => assert.ok(typeof text === "string" && text.trim(), `${key}[${i}] is text`));
        } else if (isPlural(base)) {
          assert.ok(isPlural(value), `${key}: plural forms`);
          assert.deepEqual(Object.keys(value).sort(), [...needed].sort(), `${key}: exactly the forms ${lang} has`);
          for (const [category, form] of Object.entries(value)) {
            assert.ok(typeof form === "string" && form.trim(), `${key}.${category} is text`);
            for (const name of placeholders(form)) {
              assert.ok(placeholders(base.other).includes(name), `${key}.${category}: {${name}} is not English's`);
            }
          }
          assert.deepEqual(placeholders(value.other), placeholders(base.other), `${key}.other keeps English's placeholders`);
        } else {
          assert.ok(typeof value === "string" && value.trim(), `${key} is text`);
          assert.deepEqual(placeholders(value), placeholders(base), `${key}: placeholders`);
        }
      }
    });
  }
});

describe("the merchant's own texts (www/widget/overrides.js)", async () => {
  const { ownTexts } = await import(path.join(ROOT, "www", "widget", "overrides.js"));
  const warnings = [];
  const quietly = async (fn) => {
    const warn = console.warn;
    console.warn = (...args) => warnings.push(args.join(" "));
    try { return await fn(); } finally { console.warn = warn; }
  };

  test("texts, list entries and plural forms replace the catalogue's; nothing else changes", async () => {
    const own = await quietly(() => ownTexts(JSON.stringify({
      en: { heading: "Where is my parcel?", tags: [null, null, "On its way"], show_earlier: { other: "{n} older scans" } },
      de: { heading: "Wo ist mein Paket?" },
    })));
    const merged = own(english);
    assert.equal(merged.heading, "Where is my parcel?");
    assert.equal(merged.tags[2], "On its way");
    assert.equal(merged.tags[1], english.tags[1]);
    assert.deepEqual(merged.show_earlier, { ...english.show_earlier, other: "{n} older scans" });
    assert.equal(merged.submit, english.submit);
    assert.equal(own(english), merged, "the same object each time (the widget reads it once)");
    assert.notEqual(english.heading, merged.heading, "the catalogue itself is untouched");
    assert.equal(own(read("de")).heading, "Wo ist mein Paket?");
    assert.equal(own(read("fr")).heading, read("fr").heading, "a language without texts keeps its own");
  });

  test("one text for every count; unknown keys, lang/dir and non-text values are ignored with a warning", async () => {
    warnings.length = 0;
    const own = await quietly(() => ownTexts(
      '{"en": {"show_earlier": "More ({n})", "lang": "xx", "dir": "rtl", "no_such_key": "x", "__proto__": {"heading": "x"}, ' +
      '"heading": {"html": "<b>"}, "stages": "x"}}'));
    const merged = await quietly(() => own(english));
    assert.deepEqual(merged.show_earlier, { other: "More ({n})" });
    assert.equal(merged.lang, "en");
    assert.equal(merged.dir, "ltr");
    assert.equal(merged.heading, english.heading);
    assert.deepEqual(merged.stages, english.stages);
    assert.equal(Object.getPrototypeOf(merged), Object.prototype);
    assert.equal(warnings.length, 6, warnings.join("\n"));
  });

  test("text that is not JSON is ignored with a warning", async () => {
    warnings.length = 0;
    const own = await quietly(() => ownTexts("{not json"));
    assert.deepEqual(own(english), english);
    assert.equal(warnings.length, 1);
  });
});
