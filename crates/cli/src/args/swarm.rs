//! The swarm's commands, as clap reads them: `node`, `service`, `stack`, `secret`, `config`.

use clap::{Args, Subcommand, ValueEnum};

use crate::args::LogFlags;

#[derive(Debug, Args)]
pub struct NodeArgs {
    #[command(subcommand)]
    pub command: NodeCommand,
}

#[derive(Debug, Subcommand)]
pub enum NodeCommand {
    /// List the swarm's nodes.
    #[command(alias = "list")]
    Ls,
    /// Make workers managers.
    Promote(Nodes),
    /// Make managers workers.
    Demote(Nodes),
    /// Change a node's availability or labels.
    Update(NodeUpdateArgs),
}

#[derive(Debug, Args)]
pub struct Nodes {
    /// Hostname, id or unique id prefix.
    #[arg(required = true, value_name = "NODE")]
    pub nodes: Vec<String>,
}

#[derive(Debug, Args)]
pub struct NodeUpdateArgs {
    /// Whether the scheduler places tasks on it: drain moves its tasks away, pause places no new ones.
    #[arg(long, value_enum)]
    pub availability: Option<AvailabilityArg>,
    /// Add or change a label (KEY=VALUE, or KEY for an empty value). Repeat for several.
    #[arg(long, value_name = "KEY=VALUE")]
    pub label_add: Vec<String>,
    /// Remove a label. Repeat for several.
    #[arg(long, value_name = "KEY")]
    pub label_rm: Vec<String>,
    /// Hostname, id or unique id prefix.
    #[arg(value_name = "NODE")]
    pub node: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AvailabilityArg {
    Active,
    Pause,
    Drain,
}

#[derive(Debug, Args)]
pub struct ServiceArgs {
    #[command(subcommand)]
    pub command: ServiceCommand,
}

#[derive(Debug, Subcommand)]
pub enum ServiceCommand {
    /// List the swarm's services with their replicas.
    #[command(alias = "list")]
    Ls,
    /// A service's tasks: where each runs, its state, and why one failed.
    Ps {
        /// The service, by name, id or unique id prefix.
        service: String,
    },
    /// Create a service.
    Create(ServiceCreateArgs),
    /// Roll a service onto another image, task by task as its update policy says.
    Update(ServiceUpdateArgs),
    /// Go back to a service's previous spec.
    Rollback(ServiceRollbackArgs),
    /// Set services' replicas: NAME=N ...
    Scale {
        #[arg(required = true, value_name = "SERVICE=REPLICAS")]
        services: Vec<String>,
    },
    /// The logs of all of a service's tasks, merged by the manager.
    Logs(ServiceLogsArgs),
    /// Remove services.
    Rm {
        #[arg(required = true)]
        services: Vec<String>,
    },
}

#[derive(Debug, Args)]
pub struct ServiceCreateArgs {
    /// The service's name; made from the image's when left out.
    #[arg(long)]
    pub name: Option<String>,
    /// Tasks to run (1 when left out).
    #[arg(long, value_name = "N")]
    pub replicas: Option<u64>,
    /// replicated (--replicas tasks) or global (a task on every node).
    #[arg(long, value_enum, default_value_t = ModeArg::Replicated)]
    pub mode: ModeArg,
    /// Publish a port: PUBLISHED:TARGET[/udp]. Repeat for several.
    #[arg(short = 'p', long = "publish", value_name = "PUBLISHED:TARGET")]
    pub ports: Vec<String>,
    /// An environment variable: KEY=VALUE. Repeat for several.
    #[arg(short = 'e', long = "env", value_name = "KEY=VALUE")]
    pub env: Vec<String>,
    /// A label on the service: KEY=VALUE. Repeat for several.
    #[arg(long = "label", value_name = "KEY=VALUE")]
    pub labels: Vec<String>,
    /// Mount the swarm's secret NAME at /run/secrets/NAME. Repeat for several.
    #[arg(long = "secret", value_name = "NAME")]
    pub secrets: Vec<String>,
    /// Mount the swarm's config NAME at /NAME. Repeat for several.
    #[arg(long = "config", value_name = "NAME")]
    pub configs: Vec<String>,
    #[command(flatten)]
    pub update: UpdatePolicyArgs,
    /// name[:tag|@digest].
    pub image: String,
    /// What the tasks run instead of the image's command.
    #[arg(
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "COMMAND"
    )]
    pub command: Vec<String>,
}

/// How an update rolls over the tasks; docker's defaults for what is left out.
#[derive(Debug, Args)]
pub struct UpdatePolicyArgs {
    /// Tasks updated at once (1 when left out).
    #[arg(long, value_name = "N")]
    pub update_parallelism: Option<u32>,
    /// The wait between two groups of tasks: 10s, 1m30s, 500ms.
    #[arg(long, value_name = "DURATION")]
    pub update_delay: Option<String>,
    /// How long a new task is watched for failing (5s when left out).
    #[arg(long, value_name = "DURATION")]
    pub update_monitor: Option<String>,
    /// What happens when updated tasks fail (pause when left out).
    #[arg(long, value_enum)]
    pub update_failure_action: Option<FailureActionArg>,
    /// Start the new task before stopping the old one, or after (stop-first when left out).
    #[arg(long, value_enum)]
    pub update_order: Option<OrderArg>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ModeArg {
    Replicated,
    Global,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailureActionArg {
    Pause,
    Continue,
    Rollback,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OrderArg {
    StartFirst,
    StopFirst,
}

#[derive(Debug, Args)]
pub struct ServiceUpdateArgs {
    /// The image to roll the service onto.
    #[arg(long, required = true)]
    pub image: String,
    /// Return once the update is asked for, without following it.
    #[arg(short, long)]
    pub detach: bool,
    /// The service, by name, id or unique id prefix.
    pub service: String,
}

#[derive(Debug, Args)]
pub struct ServiceRollbackArgs {
    /// Return once the rollback is asked for, without following it.
    #[arg(short, long)]
    pub detach: bool,
    /// The service, by name, id or unique id prefix.
    pub service: String,
}

#[derive(Debug, Args)]
pub struct ServiceLogsArgs {
    #[command(flatten)]
    pub log: LogFlags,
    /// The service, by name, id or unique id prefix.
    pub service: String,
}

#[derive(Debug, Args)]
pub struct StackArgs {
    #[command(subcommand)]
    pub command: StackCommand,
}

#[derive(Debug, Subcommand)]
pub enum StackCommand {
    /// List the stacks with their services and tasks running.
    #[command(alias = "list")]
    Ls,
    /// The tasks of a stack's services.
    Ps { stack: String },
    /// Remove stacks: their services, networks, secrets and configs.
    Rm {
        #[arg(required = true, value_name = "STACK")]
        stacks: Vec<String>,
    },
}

/// A secret's or a config's commands: they are the same.
#[derive(Debug, Args)]
pub struct SwarmValueArgs {
    #[command(subcommand)]
    pub command: SwarmValueCommand,
}

#[derive(Debug, Subcommand)]
pub enum SwarmValueCommand {
    /// List them by name, without their values.
    #[command(alias = "list")]
    Ls,
    /// Create one from a file or stdin; the value is sent to the engine and shown nowhere.
    Create(SwarmValueCreateArgs),
    /// Remove them, by name, id or unique id prefix.
    Rm {
        #[arg(required = true, value_name = "NAME")]
        names: Vec<String>,
    },
}

#[derive(Debug, Args)]
pub struct SwarmValueCreateArgs {
    /// A label: KEY=VALUE. Repeat for several.
    #[arg(long = "label", value_name = "KEY=VALUE")]
    pub labels: Vec<String>,
    pub name: String,
    /// The file holding the value; - or nothing for stdin.
    #[arg(value_name = "FILE|-")]
    pub file: Option<String>,
}
