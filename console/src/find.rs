//! Find Orders: the grid of the merchant's shipments, with columns the user chooses (kept in
//! `localStorage`), search, filters, sorting, cursor paging and the CSV export of what is shown.

use leptos::prelude::*;
use serde_json::Value;
use shared::console::{self as logic, FindForm};
use shared::csv::Column;
use shared::stage::Stage;

use crate::api::{self, list, text};
use crate::{error_text, when, Ctx, Load};

const COLUMNS_KEY: &str = "waymark.console.columns";
const PAGE_SIZE: u32 = 50;

fn storage() -> Option<web_sys::Storage> {
    window().local_storage().ok().flatten()
}

fn stored_columns() -> Vec<Column> {
    let stored = storage().and_then(|s| s.get_item(COLUMNS_KEY).ok().flatten());
    logic::parse_columns(stored.as_deref())
}

fn store_columns(columns: &[Column]) {
    if let Some(s) = storage() {
        let _ = s.set_item(COLUMNS_KEY, &logic::columns_param(columns));
    }
}

/// One page of the grid.
#[derive(Clone, PartialEq)]
struct Rows {
    shipments: Vec<Value>,
    next: Option<String>,
}

#[component]
pub fn FindOrders(ctx: Ctx) -> impl IntoView {
    let i18n = ctx.i18n;
    let columns = RwSignal::new(stored_columns());
    // The form as typed, and the query last applied (what the grid and the export show).
    let q = RwSignal::new(String::new());
    let stages = RwSignal::new(Vec::<Stage>::new());
    let carrier = RwSignal::new(String::new());
    let channel = RwSignal::new(String::new());
    let alert = RwSignal::new(String::new());
    let confirmation = RwSignal::new(String::new());
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let sort = RwSignal::new(String::new());
    let applied = RwSignal::new(FindForm::default());
    // Cursors of the pages seen so far; the last is the current page's (None: the first).
    let cursors = RwSignal::new(vec![None::<String>]);
    let rows = RwSignal::new(Load::<Rows>::Loading);
    let generation = StoredValue::new(0u32);

    Effect::new(move |_| {
        let form = applied.get();
        let cursor = cursors.with(|c| c.last().cloned().flatten());
        let url = [
            ctx.path("shipments").as_str(),
            "?",
            &form.query(cursor.as_deref(), Some(PAGE_SIZE)),
        ]
        .concat();
        generation.update_value(|g| *g += 1);
        let mine = generation.get_value();
        rows.set(Load::Loading);
        leptos::task::spawn_local(async move {
            let result = api::get(&url).await;
            // An older request answering late must not replace a newer one.
            if generation.get_value() != mine {
                return;
            }
            rows.set(match result {
                Ok(value) => Load::Ready(Rows {
                    shipments: list(&value, "shipments"),
                    next: value
                        .get("next_cursor")
                        .and_then(Value::as_str)
                        .map(str::to_string),
                }),
                Err(e) => Load::Failed(e),
            });
        });
    });

    let apply = move || {
        let offset = crate::local_offset_minutes();
        applied.set(FindForm {
            q: q.get_untracked(),
            stages: stages.get_untracked(),
            carrier: carrier.get_untracked(),
            channel: channel.get_untracked(),
            alert: alert.get_untracked(),
            confirmation: confirmation.get_untracked(),
            created_from: logic::day_start(&from.get_untracked(), offset, false),
            created_to: logic::day_start(&to.get_untracked(), offset, true),
            sort: sort.get_untracked(),
        });
        cursors.set(vec![None]);
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        apply();
    };
    let clear = move |_| {
        for s in [q, carrier, channel, alert, confirmation, from, to, sort] {
            s.set(String::new());
        }
        stages.set(Vec::new());
        apply();
    };
    let export_href = move || {
        let query = applied.with(|f| columns.with(|c| f.export_query(c)));
        [ctx.path("shipments.csv").as_str(), "?", &query].concat()
    };

    view! {
        <section aria-labelledby="find-title">
            <h1 id="find-title" tabindex="-1">{i18n.t("find_title")}</h1>
            <form class="filters" role="search" on:submit=submit>
                <div class="field wide">
                    <label for="find-q">{i18n.t("find_search")}</label>
                    <input id="find-q" type="search" aria-describedby="find-q-hint"
                        prop:value=move || q.get() on:input=move |ev| q.set(event_target_value(&ev))/>
                    <p class="hint" id="find-q-hint">{i18n.t("find_search_hint")}</p>
                </div>
                <fieldset class="field stages">
                    <legend>{i18n.t("col_stage")}</legend>
                    {Stage::ALL.into_iter().map(|stage| {
                        let name = shared::presentation::stage_name(stage);
                        let id = ["find-stage-", name].concat();
                        view! {
                            <span class="check">
                                <input type="checkbox" id=id.clone() value=name
                                    prop:checked=move || stages.with(|s| s.contains(&stage))
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        stages.update(|s| {
                                            s.retain(|x| *x != stage);
                                            if on { s.push(stage) }
                                        });
                                    }/>
                                <label for=id>{i18n.t(&["stage_", name].concat())}</label>
                            </span>
                        }
                    }).collect_view()}
                </fieldset>
                <div class="field">
                    <label for="find-carrier">{i18n.t("col_carrier")}</label>
                    <input id="find-carrier" aria-describedby="find-carrier-hint"
                        prop:value=move || carrier.get() on:input=move |ev| carrier.set(event_target_value(&ev))/>
                    <p class="hint" id="find-carrier-hint">{i18n.t("find_carrier_hint")}</p>
                </div>
                <div class="field">
                    <label for="find-channel">{i18n.t("col_channel")}</label>
                    <input id="find-channel"
                        prop:value=move || channel.get() on:input=move |ev| channel.set(event_target_value(&ev))/>
                </div>
                <div class="field">
                    <label for="find-alert">{i18n.t("col_alert")}</label>
                    <select id="find-alert" on:change=move |ev| alert.set(event_target_value(&ev))
                        prop:value=move || alert.get()>
                        <option value="">{i18n.t("find_alert_all")}</option>
                        <option value="any">{i18n.t("find_alert_any")}</option>
                        <option value="none">{i18n.t("find_alert_none")}</option>
                        {logic::alert_names().map(|a| view! {
                            <option value=a>{i18n.t(&["alert_", a].concat())}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="find-confirmation">{i18n.t("col_confirmation")}</label>
                    <select id="find-confirmation" aria-describedby="find-confirmation-hint"
                        on:change=move |ev| confirmation.set(event_target_value(&ev))
                        prop:value=move || confirmation.get()>
                        <option value="">{i18n.t("find_confirmation_all")}</option>
                        {logic::confirmation_names().map(|c| view! {
                            <option value=c>{i18n.t(&["confirmation_", c].concat())}</option>
                        }).collect_view()}
                    </select>
                    <p class="hint" id="find-confirmation-hint">{i18n.t("find_confirmation_hint")}</p>
                </div>
                <div class="field">
                    <label for="find-from">{i18n.t("find_created_from")}</label>
                    <input id="find-from" type="date"
                        prop:value=move || from.get() on:input=move |ev| from.set(event_target_value(&ev))/>
                </div>
                <div class="field">
                    <label for="find-to">{i18n.t("find_created_to")}</label>
                    <input id="find-to" type="date"
                        prop:value=move || to.get() on:input=move |ev| to.set(event_target_value(&ev))/>
                </div>
                <div class="field">
                    <label for="find-sort">{i18n.t("find_sort")}</label>
                    <select id="find-sort" prop:value=move || sort.get()
                        on:change=move |ev| { sort.set(event_target_value(&ev)); apply(); }>
                        {[("", "sort_newest"), ("created", "sort_oldest"), ("-updated", "sort_updated"), ("updated", "sort_updated_asc"),
                          ("-stage", "sort_stage_desc"), ("stage", "sort_stage_asc")]
                            .into_iter()
                            .map(|(v, k)| view! { <option value=v>{i18n.t(k)}</option> })
                            .collect_view()}
                    </select>
                </div>
                <div class="actions">
                    <button type="submit">{i18n.t("find_apply")}</button>
                    <button type="button" class="secondary" on:click=clear>{i18n.t("find_clear")}</button>
                </div>
            </form>
            <div class="grid-tools">
                <ColumnChooser ctx columns/>
                <a class="button secondary" href=export_href download="shipments.csv">{i18n.t("find_export")}</a>
            </div>
            {move || match rows.get() {
                Load::Loading => view! { <p class="state loading" role="status">{i18n.t("loading")}</p> }.into_any(),
                Load::Failed(e) => view! {
                    <p class="state error" role="alert">{error_text(&i18n, &e)}</p>
                }.into_any(),
                Load::Ready(page) if page.shipments.is_empty() => view! {
                    <div class="state empty" role="status">
                        <p>{if applied.with(|f| *f == FindForm::default()) { i18n.t("find_empty_none") } else { i18n.t("find_empty") }}</p>
                    </div>
                }.into_any(),
                Load::Ready(page) => {
                    // A header click sorts by its column (again: the other way round).
                    let sort_by = Callback::new(move |key: &'static str| {
                        sort.set(logic::toggled_sort(&applied.with_untracked(|f| f.sort.clone()), key));
                        apply();
                    });
                    let sorted = Signal::derive(move || applied.with(|f| f.sort.clone()));
                    view! { <Grid ctx columns page cursors sorted sort_by/> }.into_any()
                }
            }}
        </section>
    }
}

#[component]
fn ColumnChooser(ctx: Ctx, columns: RwSignal<Vec<Column>>) -> impl IntoView {
    let i18n = ctx.i18n;
    view! {
        <details class="columns">
            <summary>{i18n.t("find_columns")}</summary>
            <fieldset>
                <legend>{i18n.t("find_columns_legend")}</legend>
                {Column::ALL.into_iter().map(|column| {
                    let id = ["col-", column.as_str()].concat();
                    view! {
                        <span class="check">
                            <input type="checkbox" id=id.clone() name="column" value=column.as_str()
                                prop:checked=move || columns.with(|c| c.contains(&column))
                                on:change=move |ev| {
                                    let next = logic::toggle_column(&columns.get_untracked(), column, event_target_checked(&ev));
                                    store_columns(&next);
                                    columns.set(next);
                                }/>
                            <label for=id>{i18n.t(&["col_", column.as_str()].concat())}</label>
                        </span>
                    }
                }).collect_view()}
            </fieldset>
        </details>
    }
}

#[component]
fn Grid(
    ctx: Ctx,
    columns: RwSignal<Vec<Column>>,
    page: Rows,
    cursors: RwSignal<Vec<Option<String>>>,
    sorted: Signal<String>,
    sort_by: Callback<&'static str>,
) -> impl IntoView {
    let i18n = ctx.i18n;
    let merchant = ctx.merchant();
    let next = page.next.clone();
    let shipments = page.shipments;
    view! {
        <div class="grid-wrap" tabindex="0" role="region" aria-labelledby="grid-caption">
            <table class="grid">
                <caption id="grid-caption">{i18n.t("find_caption")}</caption>
                <thead>
                    <tr>
                        {move || columns.get().into_iter().map(|c| {
                            let title = i18n.t(&["col_", c.as_str()].concat());
                            match logic::sort_key(c) {
                                None => view! { <th scope="col">{title}</th> }.into_any(),
                                Some(key) => {
                                    let order = move || logic::sorted_by(&sorted.get(), key);
                                    let aria = move || match order() {
                                        Some(true) => "descending",
                                        Some(false) => "ascending",
                                        None => "none",
                                    };
                                    view! {
                                        <th scope="col" aria-sort=aria>
                                            <button type="button" class="sort" title=i18n.t("sort_by_column") on:click=move |_| sort_by.run(key)>
                                                {title}
                                            </button>
                                        </th>
                                    }.into_any()
                                }
                            }
                        }).collect_view()}
                    </tr>
                </thead>
                <tbody>
                    {move || {
                        let merchant = merchant.clone();
                        shipments.iter().map(|row| {
                            let cells = columns.get().into_iter().map(|c| cell(ctx, &merchant, row, c)).collect_view();
                            view! { <tr>{cells}</tr> }
                        }).collect_view()
                    }}
                </tbody>
            </table>
        </div>
        <nav class="pager" aria-label=i18n.t("find_pages")>
            <button type="button" class="secondary" disabled=move || cursors.with(|c| c.len() <= 1)
                on:click=move |_| cursors.update(|c| { if c.len() > 1 { c.pop(); } })>
                {i18n.t("find_previous")}
            </button>
            <span>{move || i18n.fill("find_page", &[("n", &cursors.with(|c| c.len()).to_string())])}</span>
            <button type="button" class="secondary" disabled=next.is_none()
                on:click=move |_| if let Some(n) = next.clone() { cursors.update(|c| c.push(Some(n))) }>
                {i18n.t("find_next")}
            </button>
        </nav>
    }
}

fn cell(ctx: Ctx, merchant: &str, row: &Value, column: Column) -> AnyView {
    let i18n = ctx.i18n;
    let itn = text(row, "itn");
    match column {
        Column::Itn => view! {
            <td><a href=crate::shipment_href(&itn) class="itn">{itn.clone()}</a></td>
        }
        .into_any(),
        Column::TrackingNumbers => {
            let tns = list(row, "tracking_numbers");
            view! {
                <td>{tns.into_iter().filter_map(|tn| tn.as_str().map(str::to_string)).map(|tn| {
                    let href = logic::track_path(merchant, &tn);
                    view! { <a class="tn" href=href>{tn}</a>" " }
                }).collect_view()}</td>
            }
            .into_any()
        }
        Column::OrderRef => view! { <td>{text(row, "order_ref")}</td> }.into_any(),
        Column::Channel => view! { <td>{text(row, "channel")}</td> }.into_any(),
        Column::Carrier => {
            let carrier = text(row, "carrier");
            view! { <td>{if carrier.is_empty() { i18n.t("none") } else { carrier }}</td> }
                .into_any()
        }
        Column::Stage => {
            let stage = text(row, "stage");
            view! { <td><span class=["badge stage-", &stage].concat()>{i18n.t(&["stage_", &stage].concat())}</span></td> }.into_any()
        }
        Column::LatestEvent => view! { <td>{text(row, "latest_event")}</td> }.into_any(),
        Column::Alert => {
            let alert = text(row, "alert");
            if alert.is_empty() {
                view! { <td>{i18n.t("none")}</td> }.into_any()
            } else {
                view! { <td><span class="badge alert">{i18n.t(&["alert_", &alert].concat())}</span></td> }.into_any()
            }
        }
        Column::Confirmation => {
            let state = text(row, "confirmation");
            if state.is_empty() {
                view! { <td>{i18n.t("none")}</td> }.into_any()
            } else {
                view! { <td><span class=["badge confirmation-", &state].concat()>{i18n.t(&["confirmation_", &state].concat())}</span></td> }.into_any()
            }
        }
        Column::Created => {
            view! { <td>{when(i18n.lang, &text(row, "created_at"))}</td> }.into_any()
        }
        Column::Updated => {
            view! { <td>{when(i18n.lang, &text(row, "updated_at"))}</td> }.into_any()
        }
    }
}
