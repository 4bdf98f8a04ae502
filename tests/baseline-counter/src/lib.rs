//! The smallest useful Leptos app: a counter button, mounted the same way as the widget.
use leptos::prelude::*;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
pub fn mount(container: web_sys::HtmlElement) {
    let handle = leptos::mount::mount_to(container, || {
        let (count, set_count) = signal(0);
        view! { <button on:click:capture=move |_| set_count.update(|n| *n += 1)>{move || count.get()}</button> }
    });
    handle.forget();
}
