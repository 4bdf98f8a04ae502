// Waymark: a merchant's own texts, merged over the widget's catalogue. Loaded by embed.js only
// for an element with a `translations` or `translations-url` attribute, so the embed costs
// nothing more for everyone else.
//
// Both hold JSON keyed by language, then by catalogue key (www/widget/i18n/en.json lists them):
//   {"en": {"heading": "Where is my parcel?", "tags": [null, null, "On its way"]},
//    "de": {"heading": "Wo ist mein Paket?"}}
// A text replaces the catalogue's; a list (stages, tags, alerts) replaces the entries it gives
// as text; a count-dependent text (show_earlier) takes one text for every count or an object of
// plural forms ({"one": …, "other": …}, keeping "{n}"). The attribute wins over the file.
// Everything is shown as text, never as HTML. Anything else is ignored, with a console warning.

const files = new Map();
const merged = new Map();

function warn(message) {
  console.warn(`Waymark: ${message}`);
}

function parse(text, where) {
  try {
    const value = JSON.parse(text);
    if (value && typeof value === "object" && !Array.isArray(value)) return value;
  } catch {}
  warn(`${where} is not a JSON object of languages; ignored`);
  return {};
}

/** The texts file at `url`, fetched once per page. */
function file(url) {
  if (!files.has(url)) {
    files.set(url, fetch(url).then((r) => {
      if (!r.ok) throw new Error(String(r.status));
      return r.text();
    }).then((text) => parse(text, `translations-url ${url}`), (error) => {
      warn(`could not load translations-url ${url} (${error.message}); ignored`);
      return {};
    }));
  }
  return files.get(url);
}

const text = (value) => typeof value === "string";
const object = (value) => Boolean(value) && typeof value === "object" && !Array.isArray(value);
const CATEGORIES = ["zero", "one", "two", "few", "many", "other"];

/** `own` (one language's texts) over `catalogue`, as a new object; the catalogue is untouched. */
function apply(catalogue, own) {
  const out = { ...catalogue };
  if (own === undefined) return out;
  if (!object(own)) {
    warn(`the texts for "${catalogue.lang}" are not a JSON object; ignored`);
    return out;
  }
  for (const [key, value] of Object.entries(own)) {
    const base = Object.hasOwn(catalogue, key) && key !== "lang" && key !== "dir" ? catalogue[key] : undefined;
    if (base === undefined) {
      warn(`no text "${key}" to replace; ignored`);
    } else if (Array.isArray(base) && Array.isArray(value)) {
      out[key] = base.map((entry, i) => (text(value[i]) ? value[i] : entry));
    } else if (text(base) && text(value)) {
      out[key] = value;
    } else if (object(base) && text(value)) {
      out[key] = { other: value };
    } else if (object(base) && object(value)) {
      out[key] = { ...base };
      for (const category of CATEGORIES) if (text(value[category])) out[key][category] = value[category];
    } else {
      warn(`"${key}" takes ${Array.isArray(base) ? "a list of texts" : "text"}; ignored`);
    }
  }
  return out;
}

/** The merchant's texts from the element's attributes (`url` already absolute). Resolves to a
 *  function from a catalogue to that catalogue with them merged in: the same object for the
 *  same catalogue and attributes, so the widget reads it only once. */
export function ownTexts(inline, url) {
  const key = `${url ?? ""}\n${inline ?? ""}`;
  if (!merged.has(key)) {
    merged.set(key, (url ? file(url) : Promise.resolve({})).then((fromFile) => {
      const fromAttribute = inline ? parse(inline, "the translations attribute") : {};
      const done = new Map();
      return (catalogue) => {
        if (!done.has(catalogue)) {
          const lang = catalogue.lang;
          const own = (texts) => (Object.hasOwn(texts, lang) ? texts[lang] : undefined);
          done.set(catalogue, apply(apply(catalogue, own(fromFile)), own(fromAttribute)));
        }
        return done.get(catalogue);
      };
    }));
  }
  return merged.get(key);
}
