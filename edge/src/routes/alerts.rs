//! E-mail alert recipients (the merchant's staff): add one (a confirmation code is e-mailed to
//! it), confirm it with the code, list, remove. Alerts reach confirmed addresses only.

use shared::alerts::{CreateRecipientRequest, VerifyRecipientRequest};
use shared::api::parse_body;
use worker::{Env, Request, Response};

use crate::error::{EdgeError, EdgeResult};
use crate::http::{json, json_body};
use crate::record::outbox::RecipientView;
use crate::record::protocol::{call, Command};
use crate::routes::authorize_merchant;

pub async fn create(mut req: Request, env: &Env, id: &str) -> EdgeResult<Response> {
    let merchant = authorize_merchant(&req, env, id).await?;
    let body = json_body(&mut req).await?;
    let (email, alerts) = parse_body::<CreateRecipientRequest>(&body)?
        .validate()
        .map_err(|e| EdgeError::Invalid(e.to_string()))?;
    let created: serde_json::Value = call(
        env,
        &merchant.id,
        &Command::CreateRecipient {
            email: email.as_str().to_string(),
            alerts,
        },
    )
    .await?;
    json(201, &created)
}

pub async fn list(req: Request, env: &Env, id: &str) -> EdgeResult<Response> {
    let merchant = authorize_merchant(&req, env, id).await?;
    let recipients: Vec<RecipientView> = call(env, &merchant.id, &Command::ListRecipients).await?;
    json(200, &serde_json::json!({ "recipients": recipients }))
}

pub async fn verify(
    mut req: Request,
    env: &Env,
    id: &str,
    recipient: &str,
) -> EdgeResult<Response> {
    let merchant = authorize_merchant(&req, env, id).await?;
    let body = json_body(&mut req).await?;
    let code = parse_body::<VerifyRecipientRequest>(&body)?
        .validate()
        .map_err(|e| EdgeError::Invalid(e.to_string()))?;
    let view: RecipientView = call(
        env,
        &merchant.id,
        &Command::VerifyRecipient {
            id: recipient.to_string(),
            code,
        },
    )
    .await?;
    json(200, &view)
}

pub async fn delete(req: Request, env: &Env, id: &str, recipient: &str) -> EdgeResult<Response> {
    let merchant = authorize_merchant(&req, env, id).await?;
    let _: bool = call(
        env,
        &merchant.id,
        &Command::DeleteRecipient {
            id: recipient.to_string(),
        },
    )
    .await?;
    Ok(Response::empty()?.with_status(204))
}
