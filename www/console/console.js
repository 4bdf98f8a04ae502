// Loads the console's own bundle (glue and wasm in parallel); the wasm's start function mounts
// the app into <main id="console">, picks the language and fetches only that catalogue.
const glue = import("/console/pkg/waymark_console.js");
const wasm = fetch("/console/pkg/waymark_console_bg.wasm");
glue.then((m) => m.default({ module_or_path: wasm })).catch((error) => {
  console.error("Waymark console:", error);
  const main = document.getElementById("console");
  if (main) main.textContent = "The Waymark console could not start. Reload the page to try again.";
});
