//! A byte relay in front of the private engine with a gate: while it is shut, Berth cannot
//! reach the engine (connections are refused and the open ones cut) though the engine runs, so
//! changes made then are made, for certain, while Berth cannot see them.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use tokio::net::{UnixListener, UnixStream};
use tokio::task::JoinHandle;

pub struct Gate {
    pub path: PathBuf,
    state: Arc<Mutex<State>>,
    accept: JoinHandle<()>,
}

#[derive(Default)]
struct State {
    shut: bool,
    relayed: Vec<JoinHandle<()>>,
}

impl Gate {
    pub fn start(target: &str, name: &str) -> Self {
        let target = target.trim_start_matches("unix://").to_owned();
        let path = PathBuf::from(format!("/run/berth-rel/{name}.sock"));
        let _ = std::fs::remove_file(&path);
        let listener = UnixListener::bind(&path).expect("the gate's socket binds");
        let state = Arc::new(Mutex::new(State::default()));
        let shared = state.clone();
        let accept = tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let mut state = shared.lock().unwrap_or_else(|p| p.into_inner());
                if state.shut {
                    continue; // dropped: the client sees its connection closed
                }
                let target = target.clone();
                state.relayed.push(tokio::spawn(async move {
                    if let Ok(mut engine) = UnixStream::connect(&target).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut engine).await;
                    }
                }));
            }
        });
        Self {
            path,
            state,
            accept,
        }
    }

    pub fn address(&self) -> String {
        format!("unix://{}", self.path.display())
    }

    pub fn shut(&self) {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        state.shut = true;
        for relayed in state.relayed.drain(..) {
            relayed.abort();
        }
    }

    pub fn open(&self) {
        self.state.lock().unwrap_or_else(|p| p.into_inner()).shut = false;
    }
}

impl Drop for Gate {
    fn drop(&mut self) {
        self.shut();
        self.accept.abort();
        let _ = std::fs::remove_file(&self.path);
    }
}
