//! Many containers: hundreds on one engine and a thousand across two, listed, searched and
//! scrolled in the window, with a change made while they are listed arriving all the same.
//!
//! Sizes come from the environment: `BERTH_LOAD_LOCAL` (default 300) containers on the local
//! engine, `BERTH_LOAD_REMOTE` (default 700) on the SSH host's. Every container is made as
//! `docker create` makes it, through the engine API several at a time, and never started (the
//! load is the list, not the processes); they are named `<run>-NNNN`, so they sort and search
//! predictably and the same names exist on both engines.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use berth_e2e::{eventually, App, Profile, PATIENCE};
use berth_testkit::{docker_on, Labelled, RemoteHost};

const SEARCH: &str = r#"input[aria-label="Search containers"]"#;
const SHOWN: &str = r#"[data-testid="shown-count"]"#;

/// The size asked for in `variable`, or `default`.
fn size(variable: &str, default: usize) -> usize {
    let size = match std::env::var(variable) {
        Ok(value) => value
            .parse()
            .unwrap_or_else(|_| panic!("{variable}={value:?} is not a count")),
        Err(_) => default,
    };
    assert!(
        (1..10_000).contains(&size),
        "{variable}: from 1 to 9999 (the names have four digits)"
    );
    size
}

/// A prefix of this run's own, short so the names stay readable in the table's name column.
fn run_tag() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!("ld{:x}{:02x}", std::process::id(), nanos & 0xff)
}

/// `<tag>-0001` … `<tag>-<count>`: fixed width, so name order is number order.
fn names(tag: &str, count: usize) -> Vec<String> {
    (1..=count).map(|n| numbered(tag, n)).collect()
}

fn numbered(tag: &str, n: usize) -> String {
    format!("{tag}-{n:04}")
}

/// Makes `names` on the engine of `t`, in parallel; says how long it took.
fn create(t: &Labelled, names: &[String], engine: &str) {
    let started = Instant::now();
    t.create_many(names, &["true"]);
    println!(
        "created {} containers on {engine} in {:.1} s",
        names.len(),
        started.elapsed().as_secs_f64()
    );
}

/// Types `query` into the list's search box, replacing what was there.
async fn search(app: &App, query: &str) {
    let field = app.find(SEARCH).await;
    field
        .clear()
        .await
        .unwrap_or_else(|e| panic!("clearing the search: {e}"));
    if !query.is_empty() {
        field
            .send_keys(query)
            .await
            .unwrap_or_else(|e| panic!("typing {query:?}: {e}"));
    }
}

/// Waits until the window says `count` containers are shown.
async fn shown_becomes(app: &App, count: usize) -> Duration {
    let started = Instant::now();
    let want = format!("{count} shown");
    loop {
        let text = app.text(SHOWN).await;
        if text == want {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < PATIENCE,
            "the window never said {want:?}; it says {text:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A container row as the window shows it: (name, host column or "").
type Row = (String, String);

/// How [`look`] moves the list before it reads it.
#[derive(Clone, Copy)]
enum Scroll {
    Stay,
    ToTop,
    /// Most of a screenful down.
    Page,
}

/// The list as one look at it found it.
struct Sight {
    /// The rows inside the list's visible area, top to bottom.
    rows: Vec<Row>,
    moved: bool,
    at_end: bool,
}

/// Scrolls the list as `scroll` says, as the wheel or the keyboard would, lets the page draw
/// what came into view (two frames), and reads what is on screen then. (WebKitWebDriver's wheel
/// actions take effect only now and then under Xvfb, so the scroll is the page's own: the same
/// scroll events a wheel makes.)
async fn look(app: &App, scroll: Scroll) -> Sight {
    let scroll = match scroll {
        Scroll::Stay => "stay",
        Scroll::ToTop => "top",
        Scroll::Page => "page",
    };
    let sight = app
        .client
        .execute_async(
            r#"const [scroll, done] = arguments;
               const list = document.querySelector("main .scroll");
               if (!list) return done({ rows: [], moved: false, atEnd: true });
               const head = list.querySelector("thead").getBoundingClientRect();
               const before = list.scrollTop;
               if (scroll === "top") list.scrollTop = 0;
               if (scroll === "page") list.scrollBy(0, Math.floor((list.clientHeight - head.height) * 0.9));
               requestAnimationFrame(() => requestAnimationFrame(() => {
                 const bottom = list.getBoundingClientRect().bottom;
                 const top = list.querySelector("thead").getBoundingClientRect().bottom;
                 const rows = [...list.querySelectorAll('tr[data-testid="container-row"]')]
                   .filter((tr) => { const r = tr.getBoundingClientRect(); return r.bottom > top + 1 && r.top < bottom - 1; })
                   .map((tr) => [tr.dataset.name, tr.dataset.host ?? ""]);
                 done({
                   rows,
                   moved: list.scrollTop !== before,
                   atEnd: Math.ceil(list.scrollTop) >= list.scrollHeight - list.clientHeight,
                 });
               }));"#,
            vec![serde_json::json!(scroll)],
        )
        .await
        .unwrap_or_else(|e| panic!("looking at the list: {e}"));
    let rows = serde_json::from_value(sight["rows"].clone())
        .unwrap_or_else(|e| panic!("rows as [name, host] pairs in {sight}: {e}"));
    Sight {
        rows,
        moved: sight["moved"].as_bool().expect("moved"),
        at_end: sight["atEnd"].as_bool().expect("atEnd"),
    }
}

/// The rows inside the list's visible area now.
async fn rows_on_screen(app: &App) -> Vec<Row> {
    look(app, Scroll::Stay).await.rows
}

/// Scrolls the list from its top to its end; returns every row that was on screen on the way,
/// in order, once each, and how long the slowest step down took (scroll, draw two frames, read).
async fn scroll_through(app: &App) -> (Vec<Row>, Duration) {
    let mut seen = Vec::new();
    let mut known = HashSet::new();
    let mut slowest = Duration::ZERO;
    let mut scroll = Scroll::ToTop;
    loop {
        let asked = Instant::now();
        let sight = look(app, scroll).await;
        if matches!(scroll, Scroll::Page) {
            slowest = slowest.max(asked.elapsed());
        }
        for row in sight.rows {
            if known.insert(row.clone()) {
                seen.push(row);
            }
        }
        if sight.at_end {
            return (seen, slowest);
        }
        assert!(
            sight.moved || matches!(scroll, Scroll::ToTop),
            "the list stopped scrolling before its end, after {} rows",
            seen.len()
        );
        scroll = Scroll::Page;
    }
}

/// Waits until the row `row` is on screen in the list; how long that took.
async fn on_screen(app: &App, row: &Row) -> Duration {
    let started = Instant::now();
    eventually(&format!("{row:?} on screen"), || async {
        rows_on_screen(app).await.contains(row)
    })
    .await;
    started.elapsed()
}

/// The total the window gives for the containers of the host or hosts it shows.
async fn total_shown(app: &App) -> usize {
    let text = app.text(r#"[data-testid="container-count"]"#).await;
    text.split(" total")
        .next()
        .and_then(|head| head.rsplit(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no total in {text:?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn load_one_engine_lists_searches_and_scrolls_its_containers() {
    let began = Instant::now();
    let count = size("BERTH_LOAD_LOCAL", 300);
    let t = Labelled::new("e2e-load-local");
    let tag = run_tag();
    let expected = names(&tag, count);
    create(&t, &expected, "the local engine");

    let started = Instant::now();
    let app = App::launch().await;
    app.find(r#"[data-testid="host"][data-state="online"]"#)
        .await;
    // Other tests' containers may share the engine: the total is at least ours.
    let total = total_shown(&app).await;
    assert!(total >= count, "the window counts {total} containers");

    // This run's containers, and only them: the count the window gives, and every one of them
    // on screen at some point while the list is scrolled to its end, in name order.
    search(&app, &tag).await;
    shown_becomes(&app, count).await;
    println!(
        "listed {count} ({total} on the engine) {:.1} s after the app was started",
        started.elapsed().as_secs_f64()
    );
    let (seen, slowest) = scroll_through(&app).await;
    let names_seen: Vec<&str> = seen.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(names_seen, expected, "the rows on screen, top to bottom");
    println!(
        "listed {}/{count} on screen while scrolling to the last row, {} (slowest step {slowest:?})",
        seen.len(),
        expected[count - 1]
    );
    app.screenshot("load-one-engine-bottom").await;

    // Search narrows to exactly the one named.
    let one = numbered(&tag, count.div_ceil(2));
    search(&app, &one).await;
    let took = shown_becomes(&app, 1).await;
    assert_eq!(
        rows_on_screen(&app).await,
        vec![(one.clone(), String::new())]
    );
    println!("search {one:?} -> 1 row in {took:?}");

    // Changes made while all of them are listed arrive: a new container (named to sort first,
    // so on screen at the top), then one removed.
    search(&app, &tag).await;
    shown_becomes(&app, count).await;
    app.screenshot("load-one-engine").await;
    let newcomer = numbered(&tag, 0);
    t.create(&newcomer, &["true"]);
    let took = on_screen(&app, &(newcomer.clone(), String::new())).await;
    shown_becomes(&app, count + 1).await;
    println!(
        "change arrived in {} ms (docker create returned → {newcomer} on screen, {} listed)",
        took.as_millis(),
        count + 1
    );
    let first = numbered(&tag, 1);
    docker_on(None, &["rm", &first]);
    let removed = Instant::now();
    app.gone(&format!(r#"tr[data-name="{first}"]"#)).await;
    shown_becomes(&app, count).await;
    println!(
        "removal arrived in {} ms (docker rm returned → {first} gone)",
        removed.elapsed().as_millis()
    );
    app.close().await;
    println!(
        "load test on one engine ({count} containers) took {:.1} s",
        began.elapsed().as_secs_f64()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn load_across_hosts_lists_searches_and_scrolls_every_container() {
    let began = Instant::now();
    let local_count = size("BERTH_LOAD_LOCAL", 300);
    let remote_count = size("BERTH_LOAD_REMOTE", 700);
    let total = local_count + remote_count;
    let remote = RemoteHost::get();
    let here = Labelled::new("e2e-load-here");
    let there = remote.labelled("e2e-load-there");
    let tag = run_tag();
    let local_names = names(&tag, local_count);
    let remote_names = names(&tag, remote_count);
    let creating = Instant::now();
    std::thread::scope(|scope| {
        scope.spawn(|| create(&here, &local_names, "the local engine"));
        scope.spawn(|| create(&there, &remote_names, "the SSH host's engine"));
    });
    println!(
        "created {total} containers on 2 engines in {:.1} s",
        creating.elapsed().as_secs_f64()
    );

    // The SSH host saved before the app starts (as the add-host wizard leaves it), its host key
    // already trusted, in a profile of this test's own.
    let profile = Profile::new("load");
    let data = profile.data_folder();
    let store = berth_core::Store::open(&data, &mut Vec::new())
        .await
        .unwrap();
    store
        .save_host(&berth_core::SavedHost {
            id: berth_core::HostId::new("load-remote"),
            key_path: Some(remote.key("ed25519").display().to_string()),
            ..berth_core::SavedHost::from_address("Remote", &remote.ssh_address(22)).unwrap()
        })
        .await
        .unwrap();
    store.close().await;
    std::fs::copy(remote.key("known_hosts"), data.join("known_hosts")).unwrap();

    let started = Instant::now();
    let app = App::launch_in(&profile).await;
    for host in ["Local", "Remote"] {
        app.find(&format!(
            r#"[data-testid="host"][data-name="{host}"][data-state="online"]"#
        ))
        .await;
    }

    // One host's view: the remote engine's share.
    app.click(r#"[data-testid="host"][data-name="Remote"]"#)
        .await;
    search(&app, &tag).await;
    shown_becomes(&app, remote_count).await;
    println!("listed {remote_count} on the SSH host");

    // All hosts: every container of both engines, counted, then each on screen at some point
    // while the list is scrolled to its end, in name order, then host.
    app.click(r#"[data-testid="all-hosts"]"#).await;
    let all = total_shown(&app).await;
    assert!(all >= total, "the window counts {all} containers");
    search(&app, &tag).await;
    shown_becomes(&app, total).await;
    println!(
        "listed {total} across 2 hosts ({all} on them) {:.1} s after the app was started",
        started.elapsed().as_secs_f64()
    );
    let (seen, slowest) = scroll_through(&app).await;
    let mut expected: Vec<Row> = local_names
        .iter()
        .map(|n| (n.clone(), "Local".to_owned()))
        .chain(
            remote_names
                .iter()
                .map(|n| (n.clone(), "Remote".to_owned())),
        )
        .collect();
    expected.sort();
    assert_eq!(seen.len(), expected.len(), "rows seen while scrolling");
    assert_eq!(seen, expected, "the rows on screen, top to bottom");
    println!(
        "listed {}/{total} across hosts on screen while scrolling to the last row, {:?} (slowest step {slowest:?})",
        seen.len(),
        expected[total - 1]
    );
    app.screenshot("load-all-hosts-bottom").await;

    // A name both engines have: one row for each host.
    let both = numbered(&tag, local_count.min(remote_count).div_ceil(2));
    search(&app, &both).await;
    let took = shown_becomes(&app, 2).await;
    let mut found = rows_on_screen(&app).await;
    found.sort();
    assert_eq!(
        found,
        vec![
            (both.clone(), "Local".to_owned()),
            (both.clone(), "Remote".to_owned())
        ]
    );
    println!("search {both:?} across hosts -> 2 rows (Local, Remote) in {took:?}");

    // A change on the remote engine while everything is listed arrives (named to sort first).
    search(&app, &tag).await;
    shown_becomes(&app, total).await;
    app.screenshot("load-all-hosts").await;
    let newcomer = numbered(&tag, 0);
    there.create(&newcomer, &["true"]);
    let took = on_screen(&app, &(newcomer.clone(), "Remote".to_owned())).await;
    shown_becomes(&app, total + 1).await;
    println!(
        "remote change arrived in {} ms (docker create returned → {newcomer} on screen, {} listed)",
        took.as_millis(),
        total + 1
    );
    app.close().await;
    println!(
        "load test across hosts ({total} containers) took {:.1} s",
        began.elapsed().as_secs_f64()
    );
}
