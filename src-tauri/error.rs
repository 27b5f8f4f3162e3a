//! The error shape that crosses IPC: `{ code, message, field?, details? }`. The UI switches on
//! `code` and reads `field` and `details`; the message is for people only.

use berth_core::error::ErrorDetails;
use berth_core::ErrorCode;
use serde::Serialize;
use specta::Type;

#[derive(Debug, Clone, Serialize, Type)]
pub struct IpcError {
    pub code: ErrorCode,
    pub message: String,
    /// The form field a refused value belongs to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    // Boxed: a host key's facts would make every command's `Result` large.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<Box<ErrorDetails>>,
}

impl From<berth_core::Error> for IpcError {
    fn from(err: berth_core::Error) -> Self {
        Self {
            code: err.code(),
            message: err.to_string(),
            field: err.field().map(str::to_owned),
            details: err.details().map(Box::new),
        }
    }
}

pub type IpcResult<T> = Result<T, IpcError>;
