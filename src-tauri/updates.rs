//! Forwards the core's host updates to the UI as a typed Tauri event.

use berth_core::{Berth, HostChange, HostUpdate};
use serde::Serialize;
use specta::Type;
use tauri::{Manager, Runtime};
use tauri_specta::Event;
use tokio::sync::broadcast::error::RecvError;

/// A change of one host's state (status, or containers added/changed/removed).
#[derive(Debug, Clone, Serialize, Type, Event)]
pub struct HostUpdated(pub HostUpdate);

/// Runs until the app exits. Subscribes before returning so no update is missed between
/// window creation and the UI's first `hosts_state` call (the UI drops updates by `seq`).
pub fn forward<R: Runtime>(app: &tauri::AppHandle<R>) {
    let berth = app.state::<Berth>();
    let mut updates = berth.subscribe();
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        loop {
            match updates.recv().await {
                Ok(update) => emit(&app, update),
                // The UI fell behind the bounded buffer: send each host whole instead.
                Err(RecvError::Lagged(missed)) => {
                    tracing::warn!(missed, "UI update forwarding lagged; resending snapshots");
                    for state in app.state::<Berth>().states() {
                        emit(
                            &app,
                            HostUpdate {
                                host: state.host,
                                seq: state.seq,
                                change: HostChange::Snapshot {
                                    status: state.status,
                                    containers: state.containers,
                                    discovery: state.discovery,
                                },
                            },
                        );
                    }
                }
                Err(RecvError::Closed) => break,
            }
        }
    });
}

fn emit<R: Runtime>(app: &tauri::AppHandle<R>, update: HostUpdate) {
    if let Err(err) = HostUpdated(update).emit(app) {
        tracing::warn!(%err, "could not send a host update to the UI");
    }
}
