//! Shell completion: `berthctl completion bash|zsh|fish` prints a script that asks berthctl
//! itself for candidates as the user types (clap_complete's dynamic completion), so host names
//! and the containers of the default host complete with what is there now.

use std::process::ExitCode;
use std::time::Duration;

use berth_core::{Berth, HostChoice, LocalEnv};
use clap_complete::env::EnvCompleter;
use clap_complete::CompletionCandidate;

use crate::args::Shell;

/// The variable the script sets when it asks berthctl for candidates (clap_complete's).
const COMPLETE_VAR: &str = "COMPLETE";

/// How long a completion may wait for an engine: a slow host must not hang the shell.
const ENGINE_WAIT: Duration = Duration::from_secs(2);

pub fn print_script(shell: Shell) -> ExitCode {
    let completer: &dyn EnvCompleter = match shell {
        Shell::Bash => &clap_complete::env::Bash,
        Shell::Zsh => &clap_complete::env::Zsh,
        Shell::Fish => &clap_complete::env::Fish,
    };
    // The script runs berthctl as it was run now (a path, or a name found on PATH).
    let program = std::env::args()
        .next()
        .unwrap_or_else(|| "berthctl".to_owned());
    let mut script = Vec::new();
    match completer.write_registration(COMPLETE_VAR, "berthctl", "berthctl", &program, &mut script)
    {
        Ok(()) => match crate::output::write_stdout(&script) {
            Ok(()) => ExitCode::SUCCESS,
            Err(err) => crate::exit::failed(&err),
        },
        Err(err) => crate::exit::failed(&berth_core::Error::Internal(format!(
            "could not write the completion script: {err}"
        ))),
    }
}

/// Every host's name.
pub fn host_names() -> Vec<CompletionCandidate> {
    with_berth(|berth| async move {
        berth
            .hosts()
            .into_iter()
            .map(|spec| {
                CompletionCandidate::new(spec.name).help(Some(spec.endpoint.to_string().into()))
            })
            .collect()
    })
}

/// The names of the containers on the host a command goes to by default, when it is reached
/// without SSH: a key refused on every press of Tab would be a login refused again and again.
pub fn container_names() -> Vec<CompletionCandidate> {
    with_berth(|berth| async move {
        let Ok(hosts) = berth.select_hosts(&HostChoice::default()) else {
            return Vec::new();
        };
        let mut names = Vec::new();
        let over_ssh: Vec<berth_core::HostId> = berth
            .hosts()
            .into_iter()
            .filter(|spec| matches!(spec.endpoint, berth_core::Endpoint::Ssh(_)))
            .map(|spec| spec.id)
            .collect();
        for host in hosts.into_iter().filter(|host| !over_ssh.contains(host)) {
            let listed = tokio::time::timeout(ENGINE_WAIT, berth.containers(&host)).await;
            if let Ok(Ok(containers)) = listed {
                names.extend(
                    containers
                        .into_iter()
                        .map(|c| CompletionCandidate::new(c.name).help(Some(c.status.into()))),
                );
            }
        }
        names
    })
}

/// Runs `ask` on Berth opened on the app's profile; nothing when it cannot open.
fn with_berth<F, Fut>(ask: F) -> Vec<CompletionCandidate>
where
    F: FnOnce(std::sync::Arc<Berth>) -> Fut,
    Fut: std::future::Future<Output = Vec<CompletionCandidate>>,
{
    let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    else {
        return Vec::new();
    };
    runtime.block_on(async {
        let folder = berth_core::profile::data_folder();
        let (berth, _) = Berth::open_for_commands(&folder, LocalEnv::from_process()).await;
        let berth = std::sync::Arc::new(berth);
        let candidates = ask(berth.clone()).await;
        berth.close().await;
        candidates
    })
}
