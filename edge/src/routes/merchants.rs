//! A merchant's default checkpoints.

use shared::api::{parse_body, CheckpointsOut, PutCheckpointsRequest};
use worker::{Env, Request, Response};

use crate::error::{EdgeError, EdgeResult};
use crate::http::{json, json_body};
use crate::routes::authorize_merchant;
use crate::store::Store;
use crate::sync::now;

pub async fn put_checkpoints(mut req: Request, env: &Env, id: &str) -> EdgeResult<Response> {
    let store = Store::open(env)?;
    let now = now();
    let config = authorize_merchant(&req, &store, id, now).await?;
    let body = json_body(&mut req).await?;
    let checkpoints = parse_body::<PutCheckpointsRequest>(&body)?.validate()?;
    // Re-read without the memo so a concurrent key rotation is not overwritten.
    let mut fresh = store
        .merchant_uncached(&config.id)
        .await?
        .ok_or(EdgeError::NotFound("no such merchant"))?;
    fresh.checkpoints = checkpoints;
    store.put_merchant(&fresh, now).await?;
    json(
        200,
        &CheckpointsOut {
            checkpoints: fresh.checkpoints,
        },
    )
}

pub async fn get_checkpoints(req: Request, env: &Env, id: &str) -> EdgeResult<Response> {
    let store = Store::open(env)?;
    let config = authorize_merchant(&req, &store, id, now()).await?;
    json(
        200,
        &CheckpointsOut {
            checkpoints: config.checkpoints,
        },
    )
}
