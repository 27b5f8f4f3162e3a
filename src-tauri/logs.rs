//! Berth's own log: to stderr, and to a file a day in the platform's log folder (Tauri's
//! app_log_dir), the last [`FILES_KEPT`] days kept, for a user to send along with a report.
//! What is logged is what Berth's code chose to log: no secret is ever a field of a log line
//! (tests/ipc.rs scans this folder for a passphrase used in a test).

use std::io::Write;
use std::path::PathBuf;
use std::sync::Mutex;

use tauri::plugin::TauriPlugin;
use tauri::{Manager, Runtime};
use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

/// Days of logs kept; older files are removed as a new day's file starts.
const FILES_KEPT: usize = 7;

/// The file lines go to, once the log folder is known (the app's paths come with the app, after
/// logging has started). Written synchronously, not through tracing-appender's background
/// writer: Berth logs little, and a line written before a crash or an exit is never lost with
/// a writer thread's queue.
static FILE: Mutex<Option<RollingFileAppender>> = Mutex::new(None);

/// The folder Berth's log files are in, for "Open log folder".
pub struct LogFolder(pub PathBuf);

/// Starts logging for the whole process: to stderr, filtered by `RUST_LOG` (else `info`), and
/// to the log file once [`plugin`] has found its folder, filtered by `file_filter` (directives
/// as `RUST_LOG` takes them; `info` when they do not parse).
pub fn init(file_filter: &str) {
    let file_filter = EnvFilter::try_new(file_filter).unwrap_or_else(|_| "info".into());
    let stderr_filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into());
    let stderr = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_filter(stderr_filter);
    let file = tracing_subscriber::fmt::layer()
        .with_ansi(false)
        .with_writer(LogFile)
        .with_filter(file_filter);
    if let Err(err) = tracing_subscriber::registry()
        .with(stderr)
        .with(file)
        .try_init()
    {
        eprintln!("berth: logging could not start: {err}");
    }
}

/// The filter of the log file: as `RUST_LOG` says, else `info`.
pub fn default_file_filter() -> String {
    std::env::var(EnvFilter::DEFAULT_ENV).unwrap_or_else(|_| "info".to_owned())
}

/// Finds the log folder as the app is built and sends the log there from then on. Registered
/// before the plugin that opens what the user saved, so what it logs is in the file.
pub fn plugin<R: Runtime>() -> TauriPlugin<R> {
    tauri::plugin::Builder::new("berth-logs")
        .setup(|app, _api| {
            let folder = app.path().app_log_dir()?;
            match open(&folder) {
                Ok(file) => {
                    *FILE.lock().unwrap_or_else(|p| p.into_inner()) = Some(file);
                    tracing::info!(folder = %folder.display(), version = env!("CARGO_PKG_VERSION"), "Berth started");
                }
                Err(err) => {
                    tracing::warn!(%err, folder = %folder.display(), "no log file; logging to stderr only")
                }
            }
            app.manage(LogFolder(folder));
            Ok(())
        })
        .build()
}

fn open(folder: &std::path::Path) -> Result<RollingFileAppender, Box<dyn std::error::Error>> {
    std::fs::create_dir_all(folder)?;
    Ok(RollingFileAppender::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix("berth")
        .filename_suffix("log")
        .max_log_files(FILES_KEPT)
        .build(folder)?)
}

/// Opens the log folder in the desktop's file manager.
#[tauri::command]
#[specta::specta]
pub fn log_folder_open(folder: tauri::State<'_, LogFolder>) -> crate::error::IpcResult<()> {
    open_folder(&folder.0)
}

pub fn open_folder(folder: &std::path::Path) -> crate::error::IpcResult<()> {
    // It may not exist yet when the file could not be opened; the file manager needs it.
    let _ = std::fs::create_dir_all(folder);
    tauri_plugin_opener::open_path(folder, None::<&str>).map_err(|err| {
        berth_core::Error::Internal(format!("the log folder could not be opened: {err}")).into()
    })
}

/// The writer of the log file layer: one formatted line per write, or nothing before the
/// folder is known.
struct LogFile;

impl<'a> MakeWriter<'a> for LogFile {
    type Writer = LogFile;

    fn make_writer(&'a self) -> Self::Writer {
        LogFile
    }
}

impl Write for LogFile {
    fn write(&mut self, line: &[u8]) -> std::io::Result<usize> {
        match FILE.lock().unwrap_or_else(|p| p.into_inner()).as_mut() {
            Some(file) => file.write(line),
            None => Ok(line.len()),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match FILE.lock().unwrap_or_else(|p| p.into_inner()).as_mut() {
            Some(file) => file.flush(),
            None => Ok(()),
        }
    }
}
