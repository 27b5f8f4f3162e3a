//! berthctl's command line, as clap reads it. What each command does is in `commands/`.

use clap::{Args, Parser, Subcommand, ValueEnum};
use clap_complete::engine::ArgValueCandidates;

use crate::completion::{container_names, host_names};

mod swarm;

pub use swarm::*;

#[derive(Debug, Parser)]
#[command(
    name = "berthctl",
    version,
    about = "Berth on the command line: your local engine, SSH hosts and Docker contexts, with the app's saved hosts",
    after_help = crate::exit::CODES_HELP,
    propagate_version = true
)]
pub struct Cli {
    #[command(flatten)]
    pub hosts: HostFlags,

    /// How lists are printed.
    #[arg(short = 'o', long, global = true, value_enum, default_value_t = Output::Table)]
    pub output: Output,

    /// Print each row through a template: {{.Name}}, {{.Host}}, {{json .}}; "table …" adds a header; "json" is a JSON object a line.
    #[arg(long, global = true, conflicts_with = "output")]
    pub format: Option<String>,

    #[command(subcommand)]
    pub command: Command,
}

/// Which hosts a command works on (the Docker CLI's order; see berth-core's `hosts::select`).
#[derive(Debug, Args)]
pub struct HostFlags {
    /// A host by name or id, or an engine address (ssh://user@host, tcp://…, unix://…). Repeat for several.
    #[arg(short = 'H', long = "host", global = true, value_name = "HOST",
          add = ArgValueCandidates::new(host_names))]
    pub host: Vec<String>,

    /// A Docker context by name.
    #[arg(long, global = true, value_name = "NAME")]
    pub context: Option<String>,

    /// Every host Berth knows, at once; an offline host is reported on stderr.
    #[arg(long, global = true)]
    pub all_hosts: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Output {
    Table,
    /// The table with every column.
    Wide,
    Json,
    Yaml,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List containers.
    Ps(PsArgs),
    /// Start stopped containers.
    Start(Targets),
    /// Stop running containers.
    Stop(Targets),
    /// Restart containers.
    Restart(Targets),
    /// Kill running containers.
    Kill(Targets),
    /// Pause running containers.
    Pause(Targets),
    /// Unpause paused containers.
    Unpause(Targets),
    /// Remove containers.
    Rm(RmArgs),
    /// Print the logs of one or more containers, merged.
    Logs(LogsArgs),
    /// Run a command in a running container, in a terminal (its shell when none is given).
    Exec(ExecArgs),
    /// Live resource use of running containers.
    Stats(StatsArgs),
    /// Images.
    Images(ListOnly),
    /// Volumes.
    Volumes(ListOnly),
    /// Networks.
    Networks(ListOnly),
    /// Pull an image, with progress per layer.
    Pull(PullArgs),
    /// Follow the engines' events.
    Events(EventsArgs),
    /// Remove stopped containers, unused networks and dangling images (and unused volumes).
    Prune(PruneArgs),
    /// The engine: disk usage or information.
    System(SystemArgs),
    /// Hosts: the app's saved ones, the local engine and Docker contexts.
    Hosts(HostsArgs),
    /// A swarm's nodes (through a manager).
    Node(NodeArgs),
    /// A swarm's services (through a manager).
    Service(ServiceArgs),
    /// A swarm's stacks: services deployed together by `docker stack deploy`.
    Stack(StackArgs),
    /// A swarm's secrets (their values are never shown).
    Secret(SwarmValueArgs),
    /// A swarm's configs.
    Config(SwarmValueArgs),
    /// Print a shell's completion script (it asks berthctl for host and container names).
    Completion(CompletionArgs),
}

#[derive(Debug, Args)]
pub struct PsArgs {
    /// Every container, not only running ones.
    #[arg(short, long)]
    pub all: bool,
    /// Only containers that match, e.g. status=exited, name=web, label=app=shop, ancestor=nginx:1.27, id=3f2a. Repeat to narrow.
    #[arg(short, long = "filter", value_name = "KEY=VALUE")]
    pub filters: Vec<String>,
    /// Only the ids, one a line (for `berthctl rm $(berthctl ps -aq)`).
    #[arg(short, long)]
    pub quiet: bool,
    /// Whole ids and commands.
    #[arg(long)]
    pub no_trunc: bool,
}

#[derive(Debug, Args)]
pub struct Targets {
    /// NAME, ID prefix, or HOST/NAME.
    #[arg(required = true, value_name = "CONTAINER", add = ArgValueCandidates::new(container_names))]
    pub containers: Vec<String>,
}

#[derive(Debug, Args)]
pub struct RmArgs {
    /// Stop and remove running containers too.
    #[arg(short, long)]
    pub force: bool,
    /// Remove the anonymous volumes they used.
    #[arg(short, long)]
    pub volumes: bool,
    #[command(flatten)]
    pub targets: Targets,
}

#[derive(Debug, Args)]
pub struct LogsArgs {
    #[command(flatten)]
    pub log: LogFlags,
    /// Lines up to this time (the same forms as --since).
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,
    #[command(flatten)]
    pub targets: Targets,
}

/// How a log is read, a container's or a service's.
#[derive(Debug, Args)]
pub struct LogFlags {
    /// Keep printing new lines as they are written.
    #[arg(short, long)]
    pub follow: bool,
    /// Lines from the end of each log ("all" for every line).
    #[arg(short = 'n', long, value_name = "N")]
    pub tail: Option<String>,
    /// Lines from this time on: 10m, 2h, 1d, a unix time, a date (UTC) or an RFC 3339 time.
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
    /// Print each line's time.
    #[arg(short, long)]
    pub timestamps: bool,
    /// Only lines that match this regular expression.
    #[arg(long, value_name = "REGEX")]
    pub grep: Option<String>,
}

#[derive(Debug, Args)]
pub struct ExecArgs {
    /// Pass standard input to the command.
    #[arg(short, long)]
    pub interactive: bool,
    /// Give the command a terminal that follows this one's size. Without it, the output comes
    /// as written, stdout and stderr apart, for a pipe or a file.
    #[arg(short, long)]
    pub tty: bool,
    /// NAME, ID prefix, or HOST/NAME.
    #[arg(value_name = "CONTAINER", add = ArgValueCandidates::new(container_names))]
    pub container: String,
    /// The command and its arguments; the container's shell (bash, ash, sh) when left out.
    #[arg(
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "COMMAND"
    )]
    pub command: Vec<String>,
}

#[derive(Debug, Args)]
pub struct StatsArgs {
    /// Print one sample and end.
    #[arg(long)]
    pub no_stream: bool,
    /// NAME, ID prefix, or HOST/NAME; every running container when left out.
    #[arg(value_name = "CONTAINER", add = ArgValueCandidates::new(container_names))]
    pub containers: Vec<String>,
}

#[derive(Debug, Args)]
pub struct ListOnly {
    #[command(subcommand)]
    pub command: ListCommand,
}

#[derive(Debug, Subcommand)]
pub enum ListCommand {
    /// List them.
    #[command(alias = "list")]
    Ls,
}

#[derive(Debug, Args)]
pub struct PullArgs {
    /// name[:tag|@digest], e.g. nginx:1.27 or registry.example.com/team/app:2.0.
    pub image: String,
}

#[derive(Debug, Args)]
pub struct EventsArgs {
    /// Events from this time on, then live (10m, 2h, a unix time, a date (UTC) or an RFC 3339 time).
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
}

#[derive(Debug, Args)]
pub struct PruneArgs {
    /// Also remove anonymous volumes no container uses.
    #[arg(long)]
    pub volumes: bool,
    /// Do not ask for confirmation.
    #[arg(short, long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct SystemArgs {
    #[command(subcommand)]
    pub command: SystemCommand,
}

#[derive(Debug, Subcommand)]
pub enum SystemCommand {
    /// Disk used by images, containers, volumes and the build cache.
    Df,
    /// The engine's version, OS and resources.
    Info,
}

#[derive(Debug, Args)]
pub struct HostsArgs {
    #[command(subcommand)]
    pub command: HostsCommand,
}

#[derive(Debug, Subcommand)]
pub enum HostsCommand {
    /// List every host: local, Docker contexts and saved ones.
    #[command(alias = "list")]
    Ls,
    /// Save a new host (asks on the terminal for what is not given).
    Add(HostFields),
    /// Change a saved host.
    Edit(EditHostArgs),
    /// Forget a saved host (its remembered passphrase too).
    Rm(RemoveHostArgs),
    /// Connect to a host and show its engine.
    Test(TestHostArgs),
    /// Save hosts found in ~/.ssh/config, Docker contexts and an ssh:// DOCKER_HOST.
    Import(ImportArgs),
}

#[derive(Debug, Args, Default)]
pub struct HostFields {
    /// The host's name in Berth.
    #[arg(long)]
    pub name: Option<String>,
    /// [user@]host[:port] for SSH, or an engine address (ssh://…, tcp://…, unix://…).
    #[arg(long)]
    pub address: Option<String>,
    /// A private key file; the ssh-agent's keys when left out.
    #[arg(long, value_name = "PATH")]
    pub key: Option<String>,
    /// The engine's socket on the host.
    #[arg(long, value_name = "PATH")]
    pub socket: Option<String>,
    /// Hosts to hop through, [user@]host[:port], separated by commas.
    #[arg(long, value_name = "HOSTS")]
    pub jump: Option<String>,
    /// A tag; repeat for several.
    #[arg(long = "tag")]
    pub tags: Vec<String>,
    /// Trust this host key fingerprint (SHA256:…) when the host is not known yet.
    #[arg(long, value_name = "FINGERPRINT")]
    pub accept_host_key: Option<String>,
    /// Keep the key's passphrase in the system keyring.
    #[arg(long)]
    pub remember_passphrase: bool,
    /// Never ask: fail instead (for scripts).
    #[arg(long)]
    pub no_input: bool,
}

#[derive(Debug, Args)]
pub struct EditHostArgs {
    /// The saved host, by name or id.
    #[arg(add = ArgValueCandidates::new(host_names))]
    pub host: String,
    #[command(flatten)]
    pub fields: HostFields,
}

#[derive(Debug, Args)]
pub struct RemoveHostArgs {
    /// The saved host, by name or id.
    #[arg(add = ArgValueCandidates::new(host_names))]
    pub host: String,
    /// Do not ask for confirmation.
    #[arg(short, long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct TestHostArgs {
    /// The host, by name or id; the chosen one (-H, --context, …) when left out.
    #[arg(add = ArgValueCandidates::new(host_names))]
    pub host: Option<String>,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The hosts to save, by the name they were found under; lists what is found when left out.
    pub names: Vec<String>,
    /// Save every host found.
    #[arg(long, conflicts_with = "names")]
    pub all: bool,
}

#[derive(Debug, Args)]
pub struct CompletionArgs {
    pub shell: Shell,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
}
