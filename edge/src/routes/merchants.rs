//! A merchant's default checkpoints. Writes go through the merchant's record.

use shared::api::{parse_body, CheckpointsOut, MerchantConfig, PutCheckpointsRequest};
use worker::{Env, Request, Response};

use crate::error::EdgeResult;
use crate::http::{json, json_body};
use crate::record::protocol::{call, Command};
use crate::routes::authorize_merchant;

pub async fn put_checkpoints(mut req: Request, env: &Env, id: &str) -> EdgeResult<Response> {
    let config = authorize_merchant(&req, env, id).await?;
    let body = json_body(&mut req).await?;
    let checkpoints = parse_body::<PutCheckpointsRequest>(&body)?.validate()?;
    let stored: MerchantConfig =
        call(env, &config.id, &Command::PutCheckpoints { checkpoints }).await?;
    json(
        200,
        &CheckpointsOut {
            checkpoints: stored.checkpoints,
        },
    )
}

pub async fn get_checkpoints(req: Request, env: &Env, id: &str) -> EdgeResult<Response> {
    let config = authorize_merchant(&req, env, id).await?;
    json(
        200,
        &CheckpointsOut {
            checkpoints: config.checkpoints,
        },
    )
}
