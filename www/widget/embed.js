// Waymark embed loader: defines <waymark-tracker merchant="…" [number] [lang] [theme] [api] [id]>.
// One shared wasm initialisation per page; each element mounts its own widget in its own
// Shadow DOM, so storefront CSS cannot reach in and the widget's CSS cannot leak out.
const here = new URL(".", import.meta.url);
let ready;
function load() {
  ready ??= import(new URL("pkg/waymark_widget.js", here).href).then(async (glue) => {
    await glue.default({ module_or_path: new URL("pkg/waymark_widget_bg.wasm", here) });
    return glue;
  });
  return ready;
}

class WaymarkTracker extends HTMLElement {
  static observedAttributes = ["merchant", "number", "lang"];

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
   *  widgets never pick up each other's numbers. */
  linkKey() {
    if (this.id) return `wm-${this.id}`;
    return document.querySelectorAll("waymark-tracker").length === 1 ? "number" : null;
  }

  remember({ number, outcome }) {
    if (!this.key || outcome === "invalid" || outcome === "origin_not_allowed") return;
    const url = new URL(location.href);
    url.searchParams.set(this.key, number);
    history.replaceState(history.state, "", url);
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
    this.key = this.linkKey();
    const linked = this.key && new URL(location.href).searchParams.get(this.key)?.trim();
    const container = document.createElement("div");
    this.root.append(container);
    const generation = (this.generation = (this.generation ?? 0) + 1);
    const glue = await load();
    if (generation !== this.generation || !this.isConnected) return;
    const api = this.getAttribute("api") || here.origin;
    this.handle = glue.mount(container, merchant, this.getAttribute("number") || linked || undefined,
      this.getAttribute("lang") || undefined, api);
  }
}

if (!customElements.get("waymark-tracker")) customElements.define("waymark-tracker", WaymarkTracker);
