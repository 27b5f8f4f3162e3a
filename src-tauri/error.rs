//! The error shape that crosses IPC: `{ code, message }`. The UI switches on `code`.

use berth_core::ErrorCode;
use serde::Serialize;
use specta::Type;

#[derive(Debug, Clone, Serialize, Type)]
pub struct IpcError {
    pub code: ErrorCode,
    pub message: String,
}

impl From<berth_core::Error> for IpcError {
    fn from(err: berth_core::Error) -> Self {
        Self {
            code: err.code(),
            message: err.to_string(),
        }
    }
}

pub type IpcResult<T> = Result<T, IpcError>;
