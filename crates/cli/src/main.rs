//! berthctl: Berth's second front end, on the same core and the same profile as the window
//! (saved hosts, known hosts, keyring, activity log). Each command is a few lines over
//! berth-core; what it prints and how it ends is decided here.

mod args;
mod commands;
mod completion;
mod exit;
mod output;

use std::process::ExitCode;

use berth_core::{Berth, HostChoice, LocalEnv};
use clap::Parser;

use crate::args::{Cli, Command};
use crate::output::Printer;

fn main() -> ExitCode {
    // A shell asking for completions runs berthctl with COMPLETE set; answered here, then ends.
    clap_complete::CompleteEnv::with_factory(<Cli as clap::CommandFactory>::command).complete();
    let cli = Cli::parse();
    init_logging();
    let printer = match Printer::new(cli.output, cli.format.as_deref()) {
        Ok(printer) => printer,
        Err(err) => return exit::failed(&err),
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("berthctl: internal: could not start: {err}");
            return ExitCode::from(exit::FAILED);
        }
    };
    let code = runtime.block_on(run(cli, printer));
    // Without waiting for a read of stdin still blocked on its thread (exec's typing).
    runtime.shutdown_background();
    code
}

/// What every command gets: the core on the app's profile, the hosts the user chose and how
/// to print.
pub struct Context {
    pub berth: Berth,
    pub choice: HostChoice,
    pub printer: Printer,
}

async fn run(cli: Cli, printer: Printer) -> ExitCode {
    if let Command::Completion(args) = &cli.command {
        return completion::print_script(args.shell);
    }
    let folder = berth_core::profile::data_folder();
    let (berth, not_opened) = Berth::open_for_commands(&folder, LocalEnv::from_process()).await;
    if let Some(err) = not_opened {
        // Left as they are for the window to deal with; this command goes on without them.
        eprintln!(
            "berthctl: warning: the saved hosts and the activity log could not be opened ({}); going on without them",
            output::printable(&err.to_string())
        );
    }
    let context = Context {
        berth,
        choice: HostChoice {
            hosts: cli.hosts.host,
            context: cli.hosts.context,
            all: cli.hosts.all_hosts,
        },
        printer,
    };
    let code = commands::run(&context, cli.command).await;
    context.berth.close().await;
    code
}

/// Berth's own diagnostics go to stderr only when BERTH_LOG asks (e.g. BERTH_LOG=debug).
fn init_logging() {
    let Ok(filter) = std::env::var("BERTH_LOG") else {
        return;
    };
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
        .with_writer(std::io::stderr)
        .init();
}
