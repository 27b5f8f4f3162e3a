//! Drives the built Berth app as a user would: tauri-driver starts the binary, WebKitWebDriver
//! controls its webview. Run under Xvfb and a session bus (scripts/test.sh does).
//!
//! - `BERTH_APP`: the app binary, built with the UI embedded (`tauri build --debug --no-bundle`).
//! - `BERTH_E2E_OUT`: where screenshots go (default `tests/out/e2e`).
//! - `BERTH_INSTALLED_APP`: the app as a package installed it (scripts/test.sh's package step
//!   reads it from the desktop entry); only the tests of the installed app use it.

use std::future::Future;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use berth_testkit::procfs::{kib_field, with_descendants};
use fantoccini::{Client, ClientBuilder, Locator};
use tokio::process::{Child, Command};

/// How long anything may take before a step counts as failed. Not a performance bound.
pub const PATIENCE: Duration = Duration::from_secs(30);

/// A running app with a WebDriver session on it. Ends both on drop.
pub struct App {
    pub client: Client,
    driver: Child,
    process: AppProcess,
}

/// The app binary under test.
pub fn application() -> String {
    let application = std::env::var("BERTH_APP").unwrap_or_else(|_| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../target/debug/berth").to_owned()
    });
    assert!(
        std::path::Path::new(&application).exists(),
        "no app at {application}: build it with `tauri build --debug --no-bundle`"
    );
    application
}

/// The app that the package installed, as its desktop entry starts it. The tests that use it
/// are run only by scripts/test.sh's package step, which sets it: without it they fail rather
/// than test another build.
pub fn installed_application() -> String {
    let application = std::env::var("BERTH_INSTALLED_APP").expect(
        "BERTH_INSTALLED_APP names the installed app (scripts/test.sh's package step sets it)",
    );
    assert!(
        std::path::Path::new(&application).is_absolute(),
        "BERTH_INSTALLED_APP must be an absolute path, not {application}"
    );
    application
}

/// How often a lookup is made again when what it found was replaced meanwhile.
const STALE_RETRIES: usize = 20;

/// A profile of a test's own: the app's data, config and cache folders in a fresh temp
/// folder, so the test can put files there before the app starts and find what it left, while
/// the other tests share the suite's profile. Removed on drop.
pub struct Profile {
    root: PathBuf,
}

impl Profile {
    pub fn new(name: &str) -> Self {
        let root = std::env::temp_dir().join(format!("berth-e2e-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let profile = Self { root };
        std::fs::create_dir_all(profile.data_folder()).unwrap();
        profile
    }

    /// Where the app keeps its settings and databases in this profile.
    pub fn data_folder(&self) -> PathBuf {
        self.root.join("data/dev.berth.desktop")
    }

    /// The profile's data, config or cache folder (`data`, `config`, `cache`): where the
    /// folders named after the app's identifier are.
    pub fn base(&self, kind: &str) -> PathBuf {
        self.root.join(kind)
    }

    /// The docker CLI's config folder of this profile (DOCKER_CONFIG): config.json and the
    /// context store a test puts there.
    pub fn docker_config(&self) -> PathBuf {
        self.root.join("docker")
    }

    /// The environment that points the app at this profile.
    pub fn env(&self) -> Vec<(&'static str, PathBuf)> {
        ["data", "config", "cache", "docker"]
            .into_iter()
            .zip([
                "XDG_DATA_HOME",
                "XDG_CONFIG_HOME",
                "XDG_CACHE_HOME",
                "DOCKER_CONFIG",
            ])
            .map(|(folder, variable)| (variable, self.root.join(folder)))
            .collect()
    }
}

/// A host as the window saves one for the local engine reached without SSH, under `name`:
/// what a test puts in a profile's database before the app starts.
pub fn saved_local_engine(id: &str, name: &str) -> berth_core::SavedHost {
    berth_core::SavedHost {
        id: berth_core::HostId::new(id),
        ..berth_core::SavedHost::direct(name, "unix:///var/run/docker.sock")
    }
}

impl Drop for Profile {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

impl App {
    /// The app on the suite's profile.
    pub async fn launch() -> Self {
        Self::start(Vec::new()).await
    }

    /// The app on a profile of the test's own.
    pub async fn launch_in(profile: &Profile) -> Self {
        Self::start(profile.env()).await
    }

    /// `application` (another binary than the suite's: an installed one) on `profile`.
    pub async fn launch_binary(application: &str, profile: &Profile) -> Self {
        Self::start_binary(application.to_owned(), profile.env()).await
    }

    /// The app started by `launcher`, a script that execs `application` (the benchmark's
    /// notes the time of the exec).
    pub async fn launch_by(launcher: &str, application: &str) -> Self {
        Self::start_by(launcher.to_owned(), application, Vec::new()).await
    }

    async fn start(env: Vec<(&'static str, PathBuf)>) -> Self {
        Self::start_binary(application(), env).await
    }

    async fn start_binary(application: String, env: Vec<(&'static str, PathBuf)>) -> Self {
        let executable = application.clone();
        Self::start_by(application, &executable, env).await
    }

    /// Has WebDriver start `launcher`, which is `application` or execs it.
    async fn start_by(
        launcher: String,
        application: &str,
        env: Vec<(&'static str, PathBuf)>,
    ) -> Self {
        // Ports of our own per launch: a WebKitWebDriver of an earlier test may still hold its
        // port while it shuts down.
        let port = free_port();
        let native_port = free_port();
        // WebKitWebDriver starts the app with the environment it was given.
        let driver = Command::new("tauri-driver")
            .envs(env)
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            .stdout(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("tauri-driver runs (cargo install tauri-driver)");
        // tauri-driver listens at once, then passes requests to the WebKitWebDriver it starts
        // on the native port; a request sent before that one listens fails (SendRequest), as
        // seen on a loaded machine. Both must listen.
        for (what, port) in [
            ("tauri-driver to listen", port),
            ("WebKitWebDriver to listen", native_port),
        ] {
            eventually(what, || async {
                tokio::net::TcpStream::connect(("127.0.0.1", port))
                    .await
                    .is_ok()
            })
            .await;
        }

        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "tauri:options".into(),
            serde_json::json!({ "application": launcher }),
        );
        // WebKitWebDriver sometimes drops the very first request while it is still starting
        // (hyper's IncompleteMessage); a session that could not be made is asked for again,
        // a few times, before the test fails.
        let mut attempts = 0;
        let client = loop {
            attempts += 1;
            // WebKitWebDriver answers once the app it started connects back, and waits for it
            // with no deadline of its own: an app that quit at start would hang the suite.
            let session = tokio::time::timeout(
                PATIENCE,
                ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
                    .capabilities(capabilities.clone())
                    .connect(&format!("http://127.0.0.1:{port}")),
            )
            .await
            .unwrap_or_else(|_| {
                panic!("no WebDriver session on {application} within {PATIENCE:?}: did it quit at start?")
            });
            match session {
                Ok(client) => break client,
                Err(err) if attempts < 3 => {
                    eprintln!("no WebDriver session yet ({err}); asking again");
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
                Err(err) => panic!("a WebDriver session on the app: {err}"),
            }
        };
        let process = AppProcess::under(driver.id(), application);
        Self {
            client,
            driver,
            process,
        }
    }

    /// The first element matching `css`, waiting for it to appear. An element replaced while
    /// WebDriver was making its handle (a row the virtualized table drew again) is looked for
    /// again: that is the page changing, not the element missing.
    pub async fn find(&self, css: &str) -> fantoccini::elements::Element {
        for _ in 0..STALE_RETRIES {
            match self
                .client
                .wait()
                .at_most(PATIENCE)
                .for_element(Locator::Css(css))
                .await
            {
                Err(e) if e.is_stale_element_reference() => continue,
                found => return found.unwrap_or_else(|e| panic!("{css} never appeared: {e}")),
            }
        }
        panic!("{css} was replaced {STALE_RETRIES} times while being found")
    }

    /// Clicks the first element matching `css`, waiting for it to appear.
    pub async fn click(&self, css: &str) {
        self.find(css)
            .await
            .click()
            .await
            .unwrap_or_else(|e| panic!("could not click {css}: {e}"));
    }

    /// Whether anything matches `css` now. Only WebDriver's "no such element" means absent:
    /// any other error (the session or the app gone, a bad selector) fails the test, so a check
    /// that something disappeared cannot pass because the window did.
    pub async fn exists(&self, css: &str) -> bool {
        for _ in 0..STALE_RETRIES {
            match self.client.find_all(Locator::Css(css)).await {
                Ok(found) => return !found.is_empty(),
                Err(e) if e.is_no_such_element() => return false,
                // Replaced while its handle was made (see `find`): look again.
                Err(e) if e.is_stale_element_reference() => continue,
                Err(e) => panic!("looking for {css}: {e}"),
            }
        }
        panic!("{css} was replaced {STALE_RETRIES} times while being looked for")
    }

    /// Waits until `css` matches nothing.
    pub async fn gone(&self, css: &str) {
        eventually(&format!("{css} to disappear"), || self.exists_not(css)).await;
    }

    async fn exists_not(&self, css: &str) -> bool {
        !self.exists(css).await
    }

    /// Calls a command of the app's IPC from the page, as the UI would.
    pub async fn invoke(&self, command: &str) -> serde_json::Value {
        let script = format!("return window.__TAURI_INTERNALS__.invoke({command:?});");
        self.client
            .execute(&script, vec![])
            .await
            .unwrap_or_else(|e| panic!("invoking {command}: {e}"))
    }

    /// Invokes app command `command` with `args`, as the UI does; its answer.
    pub async fn invoke_with(&self, command: &str, args: serde_json::Value) -> serde_json::Value {
        self.client
            .execute(
                "return window.__TAURI_INTERNALS__.invoke(arguments[0], arguments[1]);",
                vec![serde_json::Value::from(command), args],
            )
            .await
            .unwrap_or_else(|e| panic!("invoking {command}: {e}"))
    }

    /// Types into what has focus, as a keyboard would.
    pub async fn type_keys(&self, keys: &str) {
        let focused = self
            .client
            .active_element()
            .await
            .expect("something has focus");
        focused
            .send_keys(keys)
            .await
            .unwrap_or_else(|e| panic!("typing {keys:?}: {e}"));
    }

    /// The text of the first element matching `css` (waiting for it). An element replaced
    /// while it was read (stale) is looked up again; any other error fails the test.
    pub async fn text(&self, css: &str) -> String {
        let start = Instant::now();
        loop {
            match self.find(css).await.text().await {
                Ok(text) => return text,
                Err(e) if e.is_stale_element_reference() && start.elapsed() < PATIENCE => {}
                Err(e) => panic!("reading the text of {css}: {e}"),
            }
        }
    }

    /// Waits until the text of `css` contains `needle`; returns that text.
    pub async fn wait_for_text(&self, css: &str, needle: &str) -> String {
        let start = Instant::now();
        loop {
            let text = self.text(css).await;
            if text.contains(needle) {
                return text;
            }
            assert!(
                start.elapsed() < PATIENCE,
                "{css} never showed {needle:?}; it shows {text:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Saves what the window shows now as `<out>/<name>.png`.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        // WebKitWebDriver snapshots the last painted frame: let the page paint what the test
        // just waited for (two frames: one to lay out, one to paint) before taking it.
        self.client
            .execute_async(
                "const done = arguments[arguments.length - 1];\
                 requestAnimationFrame(() => requestAnimationFrame(() => done()));",
                vec![],
            )
            .await
            .expect("the page paints");
        let png = self.client.screenshot().await.expect("screenshot");
        let path = out_dir().join(format!("{name}.png"));
        std::fs::write(&path, png).unwrap();
        path
    }

    /// The app's processes: its own, and its webview's (WebKit's web and network processes are
    /// its children).
    pub fn processes(&self) -> Vec<u32> {
        with_descendants(self.process.0)
    }

    /// The resident memory of the app's processes together, KiB.
    pub fn rss_kib(&self) -> u64 {
        self.processes()
            .into_iter()
            .map(|pid| kib_field(&format!("/proc/{pid}/status"), "VmRSS:") as u64)
            .sum()
    }

    /// Kills every process of the app at once with SIGKILL, as a crash or a power cut would
    /// leave it: no write is finished, no file closed, no session ended. Returns once they are
    /// all gone, with how many there were; the WebDriver session goes with them.
    pub async fn kill(self) -> usize {
        let pids = self.processes();
        let _ = std::process::Command::new("kill")
            .arg("-KILL")
            .args(pids.iter().map(u32::to_string))
            .status();
        let start = Instant::now();
        while pids.iter().any(|pid| alive(*pid)) {
            assert!(start.elapsed() < PATIENCE, "the app outlived SIGKILL");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        pids.len()
    }

    /// Ends the session and waits for the app to be gone: only one Berth runs per profile, so
    /// the next test's app would otherwise hand over to this one and exit.
    pub async fn close(self) {
        let Self {
            client,
            mut driver,
            process,
        } = self;
        let _ = client.close().await;
        let _ = driver.kill().await;
        process.ended().await;
    }
}

/// The app's own process. WebKitWebDriver starts it, so it is not a child of the test's, and
/// outlives tauri-driver when that is killed: it is ended by its pid. Ended on drop too, so a
/// test that failed leaves no app behind holding the profile.
struct AppProcess(Option<u32>);

impl AppProcess {
    /// The process running `application` among those descending from `root`.
    fn under(root: Option<u32>, application: &str) -> Self {
        let exe = std::fs::canonicalize(application).ok();
        Self(
            with_descendants(root)
                .into_iter()
                .find(|pid| std::fs::read_link(format!("/proc/{pid}/exe")).ok() == exe),
        )
    }

    fn running(&self) -> bool {
        self.0.is_some_and(alive)
    }

    /// Waits for the app to quit as its session ended; kills it when it does not. Then waits
    /// for the session bus to drop the names it held: until then, the next Berth on the same
    /// profile would hand over to this one and quit.
    async fn ended(mut self) {
        let start = Instant::now();
        while self.running() && start.elapsed() < Duration::from_secs(10) {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        self.kill();
        if let Some(pid) = self.0 {
            eventually("the bus to let go of the app's names", || async {
                bus_names_owned_by(pid).is_empty()
            })
            .await;
        }
    }

    /// Kills the app if it still runs, and waits for it to be gone.
    fn kill(&mut self) {
        if let (true, Some(pid)) = (self.running(), self.0) {
            let _ = std::process::Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
            let start = Instant::now();
            while self.running() && start.elapsed() < PATIENCE {
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    }
}

impl Drop for AppProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The well-known names process `pid` owns on the session bus (the bus keeps a quit process's
/// names until it has seen its connection close).
pub fn bus_names_owned_by(pid: u32) -> Vec<String> {
    let listed = std::process::Command::new("busctl")
        .args(["--user", "list", "--acquired", "--no-legend"])
        .output()
        .expect("busctl runs");
    assert!(listed.status.success(), "busctl list: {listed:?}");
    let pid = pid.to_string();
    String::from_utf8_lossy(&listed.stdout)
        .lines()
        .filter_map(|line| {
            let mut columns = line.split_whitespace();
            let name = columns.next()?;
            (columns.next() == Some(pid.as_str())).then(|| name.to_owned())
        })
        .collect()
}

/// Whether `pid` still runs. A zombie has let go of everything; only its parent has yet to read
/// its status.
fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        stat.rsplit_once(')')
            .is_some_and(|(_, rest)| !rest.trim_start().starts_with('Z'))
    })
}

/// Where screenshots go, made if missing.
fn out_dir() -> PathBuf {
    let dir = std::env::var("BERTH_E2E_OUT")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../out/e2e")));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A TCP port nobody listens on right now.
fn free_port() -> u16 {
    std::net::TcpListener::bind(("127.0.0.1", 0))
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free local port")
}

/// Polls `check` every 50 ms until it holds; panics after [`PATIENCE`].
pub async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let start = Instant::now();
    while !check().await {
        assert!(start.elapsed() < PATIENCE, "gave up waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Saves the whole screen (windows, notifications) as `<out>/<name>.png`.
pub fn screen_shot(name: &str) -> PathBuf {
    let path = out_dir().join(format!("{name}.png"));
    let display = std::env::var("DISPLAY").expect("a display (run under xvfb-run)");
    let status = std::process::Command::new("import")
        .args(["-display", &display, "-window", "root"])
        .arg(&path)
        .status()
        .expect("imagemagick's import runs");
    assert!(status.success(), "import {}", path.display());
    path
}

/// A system tray (trayer, an XEmbed tray) at the bottom right of the Xvfb screen, where the
/// app's tray icon is drawn and clicked as a user would, with xdotool. Stops on drop.
pub struct Tray {
    trayer: std::process::Child,
}

impl Tray {
    /// Starts the tray and waits until it is on screen: an app whose tray icon is embedded
    /// while the tray itself is still starting can be taken down by the X error that follows.
    pub async fn start() -> Self {
        let trayer = std::process::Command::new("trayer")
            .args(["--edge", "bottom", "--align", "right"])
            .args([
                "--widthtype",
                "request",
                "--height",
                "32",
                "--transparent",
                "false",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("trayer runs (tests/env/install.sh installs it)");
        eventually("the tray on screen", || {
            let shown = xdotool(&["search", "--onlyvisible", "--class", "trayer"]);
            std::future::ready(!shown.trim().is_empty())
        })
        .await;
        Self { trayer }
    }

    /// Clicks the app's icon in the tray, once it is there, and waits for its menu to open.
    async fn open_menu(&self) {
        let mut icon = None;
        eventually("the app's icon in the tray", || {
            icon = app_windows()
                .into_iter()
                .find(|w| w.width <= 64 && w.height <= 64);
            std::future::ready(icon.is_some())
        })
        .await;
        let icon = icon.unwrap();
        let (x, y) = (icon.x + icon.width / 2, icon.y + icon.height / 2);
        // A menu rebuilt just as it pops up (the hosts changed) closes again: click anew.
        let start = Instant::now();
        loop {
            xdotool(&["mousemove", &x.to_string(), &y.to_string(), "click", "1"]);
            for _ in 0..40 {
                if app_windows().iter().any(|w| w.is_menu_beside(&icon)) {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            assert!(start.elapsed() < PATIENCE, "the tray menu never opened");
        }
    }

    /// Opens the menu and picks the item labelled `label` (as `app` says its menu reads now)
    /// with the keyboard, as a user may — once the menu has stayed open a moment, since a menu
    /// rebuilt as the hosts change closes (and keys would go to the window instead). With
    /// `shot`, the screen is saved under that name with the menu open.
    pub async fn choose(&self, app: &App, label: &str, shot: Option<&str>) {
        let start = Instant::now();
        loop {
            self.open_menu().await;
            tokio::time::sleep(Duration::from_millis(600)).await;
            if self.menu_open() {
                break;
            }
            assert!(
                start.elapsed() < PATIENCE,
                "the tray menu never stayed open"
            );
        }
        if let Some(name) = shot {
            screen_shot(name);
        }
        let items = app.invoke("tray_items").await;
        let items: Vec<&str> = items
            .as_array()
            .expect("tray_items lists the menu")
            .iter()
            .filter_map(serde_json::Value::as_str)
            .collect();
        let nth = 1 + items
            .iter()
            .position(|item| *item == label)
            .unwrap_or_else(|| panic!("no {label:?} in the tray menu {items:?}"));
        for _ in 0..nth {
            xdotool(&["key", "Down"]);
        }
        xdotool(&["key", "Return"]);
    }

    fn menu_open(&self) -> bool {
        let windows = app_windows();
        let icon = windows.iter().find(|w| w.width <= 64 && w.height <= 64);
        icon.is_some_and(|icon| windows.iter().any(|w| w.is_menu_beside(icon)))
    }

    /// Asks the app's main window to close, as a window manager's close button does: the
    /// ICCCM's WM_DELETE_WINDOW message, sent to it through libX11 (Xvfb runs no window
    /// manager, and this xdotool has no command for it).
    pub fn close_window(&self) {
        let window = app_windows()
            .into_iter()
            .find(|w| w.width >= 600)
            .expect("the main window is on screen");
        let sent = std::process::Command::new("python3")
            .args(["-c", WM_DELETE_WINDOW, &window.id.to_string()])
            .status()
            .expect("python3 runs");
        assert!(sent.success(), "WM_DELETE_WINDOW was not sent");
    }

    /// Whether the app's main window is on screen.
    pub fn window_shown(&self) -> bool {
        app_windows().iter().any(|w| w.width >= 600)
    }
}

impl Drop for Tray {
    fn drop(&mut self) {
        let _ = self.trayer.kill();
        let _ = self.trayer.wait();
    }
}

/// A visible X window of the app, where the screen has it.
#[derive(Debug, Clone, Copy)]
struct Window {
    id: u64,
    x: i32,
    y: i32,
    width: i32,
    height: i32,
}

impl Window {
    /// The tray menu: neither the icon nor the main window, and near the icon.
    fn is_menu_beside(&self, icon: &Window) -> bool {
        self.width > icon.width && self.width < 600 && (self.y + self.height - icon.y).abs() < 80
    }
}

fn app_windows() -> Vec<Window> {
    let ids = xdotool(&["search", "--onlyvisible", "--class", "berth"]);
    ids.lines()
        .filter_map(|id| {
            let shape = xdotool(&["getwindowgeometry", "--shell", id.trim()]);
            let field = |name: &str| {
                shape
                    .lines()
                    .find_map(|l| l.strip_prefix(&format!("{name}=")))
                    .and_then(|v| v.parse().ok())
            };
            Some(Window {
                id: id.trim().parse().ok()?,
                x: field("X")?,
                y: field("Y")?,
                width: field("WIDTH")?,
                height: field("HEIGHT")?,
            })
        })
        .collect()
}

fn xdotool(args: &[&str]) -> String {
    let out = std::process::Command::new("xdotool")
        .args(args)
        .output()
        .expect("xdotool runs (tests/env/install.sh installs it)");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Sends WM_DELETE_WINDOW to the window whose id is the first argument.
const WM_DELETE_WINDOW: &str = r#"
import ctypes, sys
x = ctypes.cdll.LoadLibrary("libX11.so.6")
x.XOpenDisplay.restype = ctypes.c_void_p
x.XOpenDisplay.argtypes = [ctypes.c_char_p]
x.XInternAtom.restype = ctypes.c_ulong
x.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
class ClientMessage(ctypes.Structure):
    _fields_ = [("type", ctypes.c_int), ("serial", ctypes.c_ulong), ("send_event", ctypes.c_int),
                ("display", ctypes.c_void_p), ("window", ctypes.c_ulong),
                ("message_type", ctypes.c_ulong), ("format", ctypes.c_int),
                ("data", ctypes.c_long * 5)]
class Event(ctypes.Union):
    _fields_ = [("xclient", ClientMessage), ("pad", ctypes.c_long * 24)]
x.XSendEvent.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_long,
                         ctypes.POINTER(Event)]
x.XFlush.argtypes = [ctypes.c_void_p]
x.XCloseDisplay.argtypes = [ctypes.c_void_p]
display = x.XOpenDisplay(None)
if not display:
    sys.exit("no display")
window = int(sys.argv[1])
event = Event()
event.xclient.type = 33  # ClientMessage
event.xclient.window = window
event.xclient.message_type = x.XInternAtom(display, b"WM_PROTOCOLS", 0)
event.xclient.format = 32
event.xclient.data[0] = x.XInternAtom(display, b"WM_DELETE_WINDOW", 0)
event.xclient.data[1] = 0  # CurrentTime
if not x.XSendEvent(display, window, 0, 0, ctypes.byref(event)):
    sys.exit("XSendEvent failed")
x.XFlush(display)
x.XCloseDisplay(display)
"#;
