// Waymark embed loader: defines <waymark-tracker merchant="…" [number] [order] [lang] [theme] [api]
// [id] [translations] [translations-url]>. An empty attribute counts as absent.
// One shared wasm initialisation per page; each element mounts its own widget in its own
// Shadow DOM, so storefront CSS cannot reach in and the widget's CSS cannot leak out.
// Everything a first visit needs is requested at once, in parallel: the JS glue and wasm, the
// stylesheet, and the one catalogue of the shopper's language. There are two builds of the
// widget: `waymark_widget` looks numbers up; `waymark_widget_order` also shows whole orders and
// is fetched only for an element with an `order` attribute (docs/widget-weight.md).
const here = new URL(".", import.meta.url);
const LANGUAGES = ["en", "ar", "de", "es", "fr", "he", "it", "ja", "nl", "pl", "pt", "ru", "sv", "tr", "zh"];
const asset = (path) => new URL(path, here).href;
const ready = new Map();
const catalogues = new Map();

/** The initialised bundle, `waymark_widget` or `waymark_widget_order`, once per page. */
function load(name) {
  // The wasm is requested with the glue, not after it has loaded.
  if (!ready.has(name)) {
    ready.set(name, Promise.all([import(asset(`pkg/${name}.js`)), fetch(asset(`pkg/${name}_bg.wasm`))])
      .then(async ([glue, wasm]) => {
        await glue.default({ module_or_path: wasm });
        return glue;
      }));
  }
  return ready.get(name);
}

/** The shopper's language among ours: the element's `lang`, the page's, then the browser's. */
function language(element) {
  const tag = element.getAttribute("lang") || document.documentElement.lang || navigator.language || "";
  const base = tag.trim().toLowerCase().split(/[-_]/)[0];
  return LANGUAGES.includes(base) ? base : "en";
}

/** The parsed catalogue of one language, fetched once per page. */
function catalogue(lang) {
  if (!catalogues.has(lang)) {
    catalogues.set(lang, fetch(asset(`i18n/${lang}.json`)).then((r) => {
      if (!r.ok) throw new Error(`Waymark: no catalogue for ${lang} (${r.status})`);
      return r.json();
    }));
  }
  return catalogues.get(lang);
}

/** The merchant's own texts (`translations`, `translations-url`), if any, as a function that
 *  merges them over a catalogue: `overrides.js`, loaded only then. Tracking works without it. */
function ownTexts(element) {
  const inline = element.getAttribute("translations"), url = element.getAttribute("translations-url");
  return (inline || url) && import(asset("overrides.js"))
    .then((m) => m.ownTexts(inline, url && new URL(url, document.baseURI).href))
    .catch((error) => console.warn("Waymark: own texts not applied:", error));
}

/** The widget's stylesheet in `root`, resolved once it applies (so nothing shows unstyled). */
function stylesheet(root) {
  const link = document.createElement("link");
  link.rel = "stylesheet";
  link.href = asset("widget.css");
  const applied = new Promise((resolve) => { link.onload = link.onerror = resolve; });
  root.append(link);
  return applied;
}

class WaymarkTracker extends HTMLElement {
  static observedAttributes = ["merchant", "number", "order", "lang", "translations", "translations-url"];

  constructor() {
    super();
    // The widget announces every lookup; a lookup worth sharing goes into the page's URL.
    this.addEventListener("waymark:lookup", (event) => this.remember(event.detail));
  }

  connectedCallback() {
    this.render();
  }

  disconnectedCallback() {
    this.unmount();
  }

  attributeChangedCallback(_name, oldValue, newValue) {
    if (this.isConnected && oldValue !== newValue && this.root) this.render();
  }

  /** The query parameter that deep-links to this element's lookup: `wm-<id>` for an element
   *  with an id; `number` when it is the only tracker on the page; none otherwise, so that
   *  widgets never pick up each other's numbers. An order's tracker has none: its reference is
   *  in its markup, and what proves the order is never put in a URL. */
  linkKey(order) {
    if (order) return null;
    if (this.id) return `wm-${this.id}`;
    return document.querySelectorAll("waymark-tracker").length === 1 ? "number" : null;
  }

  remember({ number, outcome }) {
    if (!this.key || !number || outcome === "invalid" || outcome === "origin_not_allowed") return;
    try {
      const url = new URL(location.href);
      url.searchParams.set(this.key, number);
      history.replaceState(history.state, "", url);
    } catch {
      // A page whose address cannot carry it (a srcdoc or sandboxed frame, a preview): the
      // lookup still works, it just is not in the address to share or reload.
    }
  }

  unmount() {
    if (this.handle) {
      this.handle.free();
      this.handle = undefined;
    }
    if (this.root) this.root.replaceChildren();
  }

  async render() {
    const merchant = this.getAttribute("merchant");
    this.root ??= this.attachShadow({ mode: "open" });
    this.unmount();
    if (!merchant) {
      console.warn("<waymark-tracker> needs a merchant attribute");
      return;
    }
    const order = this.getAttribute("order")?.trim() || undefined;
    this.key = this.linkKey(order);
    const linked = this.key && new URL(location.href).searchParams.get(this.key)?.trim();
    const styled = stylesheet(this.root);
    const container = document.createElement("div");
    this.root.append(container);
    const generation = (this.generation = (this.generation ?? 0) + 1);
    const lang = language(this);
    let glue, strings, own;
    try {
      [glue, strings, own] = await Promise.all([load(order ? "waymark_widget_order" : "waymark_widget"), catalogue(lang).catch(() => catalogue("en")), ownTexts(this), styled]);
    } catch (error) {
      console.error(error);
      return;
    }
    if (generation !== this.generation || !this.isConnected) return;
    const api = this.getAttribute("api") || here.origin;
    if (own) strings = own(strings);
    this.handle = glue.mount(container, merchant, this.getAttribute("number")?.trim() || linked || undefined, order, strings, api);
  }
}

if (!customElements.get("waymark-tracker")) customElements.define("waymark-tracker", WaymarkTracker);
