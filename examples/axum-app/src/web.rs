//! The web app as it was before aegis: an ordinary axum `Router` with tower-http layers.
//! Nothing in this file knows about Lambda.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use tower_http::compression::CompressionLayer;
use tower_http::cors::CorsLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::trace::TraceLayer;

/// The notes, shared by the handlers.
pub(crate) type Notes = Arc<Mutex<BTreeMap<u32, Note>>>;

/// One note.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Note {
    title: String,
    body: String,
}

#[derive(Deserialize)]
struct Search {
    q: Option<String>,
}

async fn health() -> &'static str {
    "ok"
}

async fn list(State(notes): State<Notes>, Query(search): Query<Search>) -> Json<Vec<(u32, Note)>> {
    let notes = notes.lock().unwrap_or_else(PoisonError::into_inner);
    let wanted = search.q.unwrap_or_default();
    Json(
        notes
            .iter()
            .filter(|(_, n)| n.title.contains(&wanted))
            .map(|(id, n)| (*id, n.clone()))
            .collect(),
    )
}

async fn get_note(
    State(notes): State<Notes>,
    Path(id): Path<u32>,
) -> Result<Json<Note>, StatusCode> {
    let notes = notes.lock().unwrap_or_else(PoisonError::into_inner);
    notes
        .get(&id)
        .cloned()
        .map(Json)
        .ok_or(StatusCode::NOT_FOUND)
}

async fn put_note(
    State(notes): State<Notes>,
    Path(id): Path<u32>,
    Json(note): Json<Note>,
) -> StatusCode {
    let mut notes = notes.lock().unwrap_or_else(PoisonError::into_inner);
    match notes.insert(id, note) {
        Some(_) => StatusCode::OK,
        None => StatusCode::CREATED,
    }
}

/// The app's router, with its middleware.
pub(crate) fn router(notes: Notes) -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/notes", get(list))
        .route("/notes/{id}", get(get_note).put(put_note))
        .with_state(notes)
        .layer(RequestBodyLimitLayer::new(64 * 1024))
        .layer(CompressionLayer::new())
        .layer(CorsLayer::permissive())
        .layer(TraceLayer::new_for_http())
}
