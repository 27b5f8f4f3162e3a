//! Which hosts a command works on, chosen the Docker CLI's way: `--host`/`-H`, then
//! `--context`, then `DOCKER_HOST` and `DOCKER_CONTEXT` (which name the local engine), then the
//! default host of the app's settings, then the local engine. Berth adds `--all-hosts`, and
//! lets `--host` name a host by its name or id as well as by an engine address.

use futures_util::future::join_all;

use crate::engine::containers::Container;
use crate::error::{Error, Result};
use crate::hosts::discovery::{self, LocalEnv, CONTEXT_HOST_PREFIX};
use crate::hosts::{HostId, HostSpec};
use crate::Berth;

/// What the user asked for on the command line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HostChoice {
    /// `--host`/`-H`, each a host's name or id, or an engine address as DOCKER_HOST writes it
    /// (`ssh://me@box`, `tcp://10.0.0.5:2376`, `unix:///run/docker.sock`).
    pub hosts: Vec<String>,
    /// `--context`: a Docker context by name.
    pub context: Option<String>,
    /// `--all-hosts`: every host Berth knows.
    pub all: bool,
}

impl Berth {
    /// The hosts `choice` names, in the order given, each once. A name that is no host and no
    /// address is refused, naming it.
    pub fn select_hosts(&self, choice: &HostChoice) -> Result<Vec<HostId>> {
        let known = self.hosts();
        if choice.all {
            if !choice.hosts.is_empty() || choice.context.is_some() {
                return Err(Error::InvalidInput(
                    "--all-hosts already takes every host: leave out --host and --context"
                        .to_owned(),
                )
                .in_field("allHosts"));
            }
            return Ok(known.into_iter().map(|spec| spec.id).collect());
        }
        if !choice.hosts.is_empty() {
            if choice.context.is_some() {
                return Err(Error::InvalidInput(
                    "--host and --context both name the engine: give one of them".to_owned(),
                )
                .in_field("context"));
            }
            let mut chosen: Vec<HostId> = Vec::new();
            for wanted in &choice.hosts {
                let id = self.host_named(&known, wanted)?;
                if !chosen.contains(&id) {
                    chosen.push(id);
                }
            }
            return Ok(chosen);
        }
        if let Some(context) = &choice.context {
            return Ok(vec![self.context_host(&known, context)?]);
        }
        let env = self.local_env();
        let env_names_engine = env.docker_host.as_deref().is_some_and(|h| !h.is_empty())
            || env.docker_context.as_deref().is_some_and(|c| !c.is_empty());
        if env_names_engine {
            return Ok(vec![HostId::local()]);
        }
        Ok(vec![self.settings().default_host])
    }

    /// The host `wanted` names: by id, then by name (any case when only one matches so), then
    /// as an engine address, reached like DOCKER_HOST.
    fn host_named(&self, known: &[HostSpec], wanted: &str) -> Result<HostId> {
        let wanted = wanted.trim();
        if let Some(spec) = known.iter().find(|spec| spec.id.as_str() == wanted) {
            return Ok(spec.id.clone());
        }
        let exactly: Vec<&HostSpec> = known.iter().filter(|spec| spec.name == wanted).collect();
        let any_case: Vec<&HostSpec> = known
            .iter()
            .filter(|spec| spec.name.eq_ignore_ascii_case(wanted))
            .collect();
        match (&exactly[..], &any_case[..]) {
            ([spec], _) | ([], [spec]) => return Ok(spec.id.clone()),
            ([], []) => {}
            (_, several) => {
                let ids: Vec<&str> = several.iter().map(|spec| spec.id.as_str()).collect();
                return Err(Error::Conflict(format!(
                    "several hosts are named {wanted:?}: give one of their ids ({})",
                    ids.join(", ")
                )));
            }
        }
        if !wanted.contains("://") {
            let names: Vec<&str> = known.iter().map(|spec| spec.name.as_str()).collect();
            return Err(Error::NotFound(format!(
                "there is no host named {wanted:?} (hosts: {}); give a saved host's name or an engine address such as ssh://user@host",
                names.join(", ")
            )));
        }
        let env = LocalEnv {
            docker_host: Some(wanted.to_owned()),
            docker_context: None,
            pinned_context: None,
            ..self.local_env()
        };
        let spec = HostSpec::local_in(&env).map_err(|err| err.in_field("host"))?;
        let id = HostId::new(wanted);
        self.add(HostSpec {
            id: id.clone(),
            name: wanted.to_owned(),
            ..spec
        })?;
        Ok(id)
    }

    /// The host of Docker context `name`: the one made from it, else (the current or the
    /// default context) one that follows it; a context that does not exist is refused.
    fn context_host(&self, known: &[HostSpec], name: &str) -> Result<HostId> {
        let id = HostId::new(format!("{CONTEXT_HOST_PREFIX}{name}"));
        if known.iter().any(|spec| spec.id == id) {
            return Ok(id);
        }
        let env = LocalEnv {
            pinned_context: Some(name.to_owned()),
            ..self.local_env()
        };
        let (endpoint, _) = discovery::discover(&env).map_err(|err| err.in_field("context"))?;
        self.add(HostSpec {
            id: id.clone(),
            name: name.to_owned(),
            endpoint,
            local: Some(env),
        })?;
        Ok(id)
    }

    /// The containers `references` name, each `NAME`, an id or a unique id prefix, or
    /// `HOST/NAME`, looked for on the hosts `among` (each listed once, concurrently): one
    /// answer per reference, in their order, so a command can act on those found and report
    /// the others. A name found on several hosts is refused, asking for `HOST/NAME`; one found
    /// nowhere is not found, or, when a host could not be asked, that host's error.
    pub async fn find_containers(
        &self,
        among: &[HostId],
        references: &[String],
    ) -> Vec<Result<(HostId, Container)>> {
        let known = self.hosts();
        let wanted: Vec<Result<(Option<HostId>, &str)>> = references
            .iter()
            .map(|reference| self.container_reference(&known, reference))
            .collect();
        let mut hosts: Vec<HostId> = among.to_vec();
        for host in wanted.iter().flatten().filter_map(|(host, _)| host.clone()) {
            if !hosts.contains(&host) {
                hosts.push(host);
            }
        }
        let listed = join_all(hosts.iter().map(|host| self.containers(host))).await;
        let listed: Vec<(&HostId, Result<Vec<Container>>)> = hosts.iter().zip(listed).collect();
        wanted
            .into_iter()
            .map(|wanted| {
                let (on_host, name) = wanted?;
                let searched = listed.iter().filter(|(host, _)| match &on_host {
                    Some(wanted) => *host == wanted,
                    None => among.contains(host),
                });
                self.one_named(searched, name)
            })
            .collect()
    }

    /// `HOST/NAME` as the host and the name, `NAME` as the name alone; an empty name is
    /// refused (an empty id prefix would name every container).
    fn container_reference<'r>(
        &self,
        known: &[HostSpec],
        reference: &'r str,
    ) -> Result<(Option<HostId>, &'r str)> {
        let reference = reference.trim();
        let (host, name) = match reference.rsplit_once('/') {
            Some((host, name)) if !host.is_empty() => (Some(self.host_named(known, host)?), name),
            _ => (None, reference.trim_start_matches('/')),
        };
        if name.is_empty() {
            return Err(Error::InvalidInput(format!(
                "{reference:?} names no container: write NAME, an id, or HOST/NAME"
            )));
        }
        Ok((host, name))
    }

    /// The one container `name` names among the hosts' lists.
    fn one_named<'l>(
        &self,
        searched: impl Iterator<Item = &'l (&'l HostId, Result<Vec<Container>>)>,
        name: &str,
    ) -> Result<(HostId, Container)> {
        let mut matches: Vec<(HostId, Container)> = Vec::new();
        let mut unreachable = None;
        for (host, containers) in searched {
            match containers {
                Ok(containers) => {
                    if let Some(container) = named(containers, name)? {
                        matches.push(((*host).clone(), container.clone()));
                    }
                }
                Err(err) => {
                    unreachable.get_or_insert_with(|| err.clone());
                }
            }
        }
        match matches.len() {
            1 => Ok(matches.remove(0)),
            // Perhaps it is on the host that could not be asked: say why not.
            0 => Err(unreachable
                .unwrap_or_else(|| Error::NotFound(format!("there is no container {name:?}")))),
            _ => {
                let on: Vec<String> = matches
                    .iter()
                    .map(|(host, _)| self.host_name(host).unwrap_or_else(|| host.to_string()))
                    .collect();
                Err(Error::Conflict(format!(
                    "{name:?} is on several hosts ({}): write HOST/{name}",
                    on.join(", ")
                )))
            }
        }
    }

    /// The environment the local engine is looked for in (with the profile's known hosts).
    fn local_env(&self) -> LocalEnv {
        self.hosts()
            .into_iter()
            .find(|spec| spec.id == HostId::local())
            .and_then(|spec| spec.local)
            .or_else(|| self.profile.as_ref().map(|profile| profile.env.clone()))
            .unwrap_or_default()
    }
}

/// The container `name` names: by name, then by id, then by a unique id prefix (as the
/// Docker CLI takes them). A prefix several ids share is refused.
fn named<'c>(containers: &'c [Container], name: &str) -> Result<Option<&'c Container>> {
    if let Some(container) = containers.iter().find(|c| c.name == name || c.id == name) {
        return Ok(Some(container));
    }
    let prefixed: Vec<&Container> = containers
        .iter()
        .filter(|c| c.id.starts_with(name))
        .collect();
    match prefixed[..] {
        [] => Ok(None),
        [one] => Ok(Some(one)),
        _ => Err(Error::Conflict(format!(
            "{name:?} begins the ids of {} containers: give more of the id",
            prefixed.len()
        ))),
    }
}
