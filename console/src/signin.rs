//! The sign-in form: a merchant id and an e-mail address; the edge e-mails a one-time link.
//! The answer reads the same whatever the address (the edge answers alike for unknown ones).

use leptos::prelude::*;
use serde_json::json;

use crate::api;
use crate::i18n::I18n;

#[derive(Clone, PartialEq)]
enum Sent {
    No,
    Sending,
    Yes,
    RateLimited,
    Failed,
    Invalid,
}

#[component]
pub fn SignIn(i18n: I18n, expired: bool) -> impl IntoView {
    let merchant = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let sent = RwSignal::new(Sent::No);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let m = merchant.get_untracked().trim().to_ascii_lowercase();
        let e = email.get_untracked().trim().to_string();
        if m.parse::<shared::MerchantId>().is_err() || !e.contains('@') {
            sent.set(Sent::Invalid);
            return;
        }
        sent.set(Sent::Sending);
        leptos::task::spawn_local(async move {
            let body = json!({"merchant": m, "email": e});
            let result = api::call("POST", "/console/api/sign-in", Some(&body), None).await;
            sent.set(match result {
                Ok(_) => Sent::Yes,
                Err(e) if e.status == 429 => Sent::RateLimited,
                Err(e) if e.status == 400 => Sent::Invalid,
                Err(_) => Sent::Failed,
            });
        });
    };
    view! {
        <div class="signin">
            <h1>{i18n.t("signin_title")}</h1>
            <p>{i18n.t("signin_intro")}</p>
            {expired.then(|| view! { <p class="notice" role="alert">{i18n.t("signin_expired")}</p> })}
            <form on:submit=submit novalidate>
                <label for="signin-merchant">{i18n.t("signin_merchant")}</label>
                <input id="signin-merchant" name="merchant" autocomplete="organization" required
                    aria-describedby="signin-merchant-hint"
                    prop:value=move || merchant.get()
                    on:input=move |ev| merchant.set(event_target_value(&ev))/>
                <p class="hint" id="signin-merchant-hint">{i18n.t("signin_merchant_hint")}</p>
                <label for="signin-email">{i18n.t("signin_email")}</label>
                <input id="signin-email" name="email" type="email" autocomplete="email" required
                    prop:value=move || email.get()
                    on:input=move |ev| email.set(event_target_value(&ev))/>
                <button type="submit" disabled=move || sent.get() == Sent::Sending>
                    {i18n.t("signin_submit")}
                </button>
            </form>
            <div role="status" class="signin-status">
                {move || match sent.get() {
                    Sent::No => None,
                    Sent::Sending => Some(view! { <p>{i18n.t("signin_sending")}</p> }.into_any()),
                    Sent::Yes => Some(view! {
                        <p class="ok"><strong>{i18n.t("signin_sent_title")}</strong>" "{i18n.t("signin_sent")}</p>
                    }.into_any()),
                    Sent::RateLimited => Some(view! { <p class="error">{i18n.t("error_rate_limited")}</p> }.into_any()),
                    Sent::Invalid => Some(view! { <p class="error">{i18n.t("signin_invalid")}</p> }.into_any()),
                    Sent::Failed => Some(view! { <p class="error">{i18n.t("error_network")}</p> }.into_any()),
                }}
            </div>
            <crate::LanguagePicker i18n/>
        </div>
    }
}
