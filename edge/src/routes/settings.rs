//! A merchant's settings: validated in `shared::settings`, applied and audited by the
//! merchant's record (who, when, what), mirrored to the read path.

use shared::api::parse_body;
use worker::{Env, Request, Response};

use crate::error::EdgeResult;
use crate::http::{json, json_body};
use crate::record::protocol::{call, Command, SettingsPatch, SettingsView};
use crate::routes::authorize_merchant;

pub async fn get(req: Request, env: &Env, id: &str) -> EdgeResult<Response> {
    let merchant = authorize_merchant(&req, env, id).await?;
    let view: SettingsView = call(env, &merchant.id, &Command::GetSettings).await?;
    json(200, &view)
}

pub async fn patch(mut req: Request, env: &Env, id: &str) -> EdgeResult<Response> {
    let caller = crate::routes::authorize(&req, env, id).await?;
    let merchant = caller.config;
    let body = json_body(&mut req).await?;
    let patch = parse_body::<SettingsPatch>(&body)?;
    let view: SettingsView = call(
        env,
        &merchant.id,
        &Command::PatchSettings {
            patch,
            actor: caller.actor,
        },
    )
    .await?;
    json(200, &view)
}
