//! A merchant's settings: validated in `shared::settings`, applied and audited by the
//! merchant's record (who, when, what), mirrored to the read path.

use shared::api::parse_body;
use worker::{Env, Request, Response};

use crate::error::EdgeResult;
use crate::http::{json, json_body};
use crate::record::protocol::{call, Command, SettingsPatch, SettingsView};
use crate::routes::authorize_merchant;
use crate::store::Store;
use crate::sync::now;

pub async fn get(req: Request, env: &Env, id: &str) -> EdgeResult<Response> {
    let store = Store::open(env)?;
    let merchant = authorize_merchant(&req, &store, id, now()).await?;
    let view: SettingsView = call(env, &merchant.id, &Command::GetSettings).await?;
    json(200, &view)
}

pub async fn patch(mut req: Request, env: &Env, id: &str) -> EdgeResult<Response> {
    let store = Store::open(env)?;
    let merchant = authorize_merchant(&req, &store, id, now()).await?;
    let body = json_body(&mut req).await?;
    let patch = parse_body::<SettingsPatch>(&body)?;
    let view: SettingsView = call(
        env,
        &merchant.id,
        &Command::PatchSettings {
            patch,
            actor: "api-key".to_string(),
        },
    )
    .await?;
    json(200, &view)
}
