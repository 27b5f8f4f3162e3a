//! Berth's own log: to stderr, and to a file a day in the platform's log folder (Tauri's
//! app_log_dir), the last [`FILES_KEPT`] days kept, for a user to send along with a report.
//! What is logged is what Berth's code chose to log: no secret is ever a field of a log line
//! (src-tauri/tests/ipc.rs scans this folder for a passphrase used in a test). The libraries that speak
//! to engines log whole request and response bodies at debug (bollard: a container's
//! environment, its passwords included), so the file never takes their lines below info,
//! whatever `RUST_LOG` asks.

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

/// Libraries whose debug lines carry what crosses to an engine or a host, kept to info in the
/// file.
const QUIET_IN_FILE: [&str; 7] = [
    "bollard",
    "hyper",
    "hyper_util",
    "h2",
    "russh",
    "rustls",
    "tokio_rustls",
];

/// Lines logged before the log folder is known (the app's paths come with the app, after
/// logging has started, and the profile move is logged before that) are kept up to this many
/// bytes and written first.
const EARLY_LINES_KEPT: usize = 64 * 1024;

/// Where file lines go: held until the folder is known, then the file. Written synchronously,
/// not through tracing-appender's background writer: Berth logs little, and a line written
/// before a crash or an exit is never lost with a writer thread's queue.
enum Sink {
    Early(Vec<u8>),
    File(RollingFileAppender),
}

static FILE: Mutex<Sink> = Mutex::new(Sink::Early(Vec::new()));

/// The folder Berth's log files are in, for "Open log folder".
pub struct LogFolder(pub PathBuf);

/// Starts logging for the whole process: to stderr, filtered by `RUST_LOG` (else `info`), and
/// to the log file once [`plugin`] has found its folder, filtered by `file_filter` (directives
/// as `RUST_LOG` takes them; `info` when they do not parse).
pub fn init(file_filter: &str) {
    let file_filter = QUIET_IN_FILE.iter().fold(
        EnvFilter::try_new(file_filter).unwrap_or_else(|_| "info".into()),
        // Replaces a directive of the same target the caller gave.
        |filter, target| {
            filter.add_directive(format!("{target}=info").parse().expect("a directive"))
        },
    );
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
                Ok(mut file) => {
                    let mut sink = FILE.lock().unwrap_or_else(|p| p.into_inner());
                    if let Sink::Early(early) = &*sink {
                        let _ = file.write_all(early);
                    }
                    *sink = Sink::File(file);
                    drop(sink);
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
    // Host names, containers and actions: the user's own, not the machine's other users'.
    #[cfg(unix)]
    std::fs::set_permissions(folder, std::os::unix::fs::PermissionsExt::from_mode(0o700))?;
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

/// The writer of the log file layer: one formatted line per write, kept in memory (up to
/// [`EARLY_LINES_KEPT`]) until the folder is known.
struct LogFile;

impl<'a> MakeWriter<'a> for LogFile {
    type Writer = LogFile;

    fn make_writer(&'a self) -> Self::Writer {
        LogFile
    }
}

impl Write for LogFile {
    fn write(&mut self, line: &[u8]) -> std::io::Result<usize> {
        match &mut *FILE.lock().unwrap_or_else(|p| p.into_inner()) {
            Sink::File(file) => file.write(line),
            Sink::Early(early) => {
                if early.len() + line.len() <= EARLY_LINES_KEPT {
                    early.extend_from_slice(line);
                }
                Ok(line.len())
            }
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match &mut *FILE.lock().unwrap_or_else(|p| p.into_inner()) {
            Sink::File(file) => file.flush(),
            Sink::Early(_) => Ok(()),
        }
    }
}
