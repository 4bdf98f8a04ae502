// Waymark embed loader: defines <waymark-tracker merchant="…" [number] [lang] [theme] [api]>.
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

  connectedCallback() {
    this.render();
  }

  disconnectedCallback() {
    this.unmount();
  }

  attributeChangedCallback(_name, oldValue, newValue) {
    if (this.isConnected && oldValue !== newValue && this.root) this.render();
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
    const container = document.createElement("div");
    this.root.append(container);
    const generation = (this.generation = (this.generation ?? 0) + 1);
    const glue = await load();
    if (generation !== this.generation || !this.isConnected) return;
    const api = this.getAttribute("api") || here.origin;
    this.handle = glue.mount(container, merchant, this.getAttribute("number") || undefined,
      this.getAttribute("lang") || undefined, api);
  }
}

if (!customElements.get("waymark-tracker")) customElements.define("waymark-tracker", WaymarkTracker);
