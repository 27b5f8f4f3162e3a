#!/usr/bin/env bash
# Berth's Linux packages as users get them: the Tauri bundler builds the .deb and .rpm;
# the .rpm is checked with rpm (its metadata, its files, its requirements); the .deb is
# installed with apt, so its declared dependencies are resolved as on a user's machine, and
# every library the installed program loads must come from a package those dependencies pull
# in; then the program named by the installed desktop entry's Exec line is started through
# WebDriver and must list the local engine's containers, and berthctl, which the packages carry
# as /usr/bin/berthctl, must list them too. The package is removed at the end,
# whatever happened. Needs apt (as root), the engine and the e2e tools (scripts/test.sh runs it
# after those); uses sudo for apt when not run as root.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=tests/env/node.sh
. tests/env/node.sh

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
apt_get() { DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=600 "$@"; }
fail() {
  echo "package: $*" >&2
  exit 1
}

# The packages are made from the debug build the e2e suite already made (the bundler then
# only re-links the app with its UI): a cold release build costs ~18 CPU-minutes, which would
# take CI's cold run past half an hour. Packaging, dependencies, desktop entry and the
# installed app are the same either way; `--release` checks the release packages instead, as
# the release workflow builds them. --ci: no prompts. One build serves both packages.
profile=debug
[ "${1:-}" = --release ] && profile=release
# berthctl goes in the packages beside the app, from the same profile's build.
cargo_build=(cargo build --locked -q -p berthctl)
[ "$profile" = release ] && cargo_build+=(--release)
"${cargo_build[@]}"
cli_files="{\"/usr/bin/berthctl\": \"target/$profile/berthctl\"}"
with_cli="{\"bundle\": {\"linux\": {\"deb\": {\"files\": $cli_files}, \"rpm\": {\"files\": $cli_files}}}}"
build=(ui/node_modules/.bin/tauri build --ci --bundles deb,rpm --config "$with_cli")
[ "$profile" = debug ] && build+=(--debug)
"${build[@]}"
version=$(node -p 'require("./tauri.conf.json").version')
deb="target/$profile/bundle/deb/Berth_${version}_$(dpkg --print-architecture).deb"
rpm="target/$profile/bundle/rpm/Berth-${version}-1.$(uname -m).rpm"
[ -f "$deb" ] || fail "no $deb"
[ -f "$rpm" ] || fail "no $rpm"

echo "== the .rpm: $rpm"
rpm -K --nosignature "$rpm"
rpm -qpi "$rpm"
requires=$(rpm -qpR "$rpm")
echo "$requires"
# The packages a package pulls in, itself included, as installed here (names without :arch).
closure_of() {
  apt-cache depends --recurse --installed --no-recommends --no-suggests --no-conflicts \
    --no-breaks --no-replaces --no-enhances "$@" | grep -v '^ ' | sed 's/:.*//' | sort -u
}
# The Debian package a library file belongs to.
owner() {
  local path=$1 real
  real=$(realpath "$path")
  # Debian's merged /usr: dpkg may know the file under /lib or /usr/lib.
  local candidate found
  for candidate in "$path" "$real" "/usr${path#/usr}" "${path#/usr}" "/usr${real#/usr}" "${real#/usr}"; do
    found=$(dpkg -S "$candidate" 2>/dev/null) || continue
    found=${found%%$'\n'*}
    echo "${found%%[:,]*}"
    return
  done
}
# The program's libraries (ldd's resolved paths) as "soname path" lines.
libraries() { ldd "$1" | awk '$2 == "=>" && $3 ~ /^\// {print $1, $3}'; }

# The bundler requires libraries by soname, which any distribution's packages of them provide.
# It names WebKitGTK's, GTK's and the tray's; a library the program links directly that none of
# those brings along (judged by Debian's packages of them, the same libraries) must be required
# by name too, or an rpm system may install Berth without it.
for required in 'libwebkit2gtk-4.1.so.0()(64bit)' 'libgtk-3.so.0()(64bit)' 'libayatana-appindicator3.so.1()(64bit)'; do
  grep -qxF "$required" <<<"$requires" || fail "the .rpm does not require $required"
done
brought=$(closure_of libwebkit2gtk-4.1-0 libgtk-3-0 libayatana-appindicator3-1 libc6)
for binary in berth berthctl; do
  needed=$(objdump -p "target/$profile/$binary" | awk '/NEEDED/ {print $2}')
  while read -r soname path; do
    grep -qxF "$soname" <<<"$needed" || continue
    grep -qxF "$(owner "$path")" <<<"$brought" && continue
    grep -qxF "$soname()(64bit)" <<<"$requires" || fail "the .rpm does not require $soname, which $binary links"
  done < <(libraries "target/$profile/$binary")
done
files=$(rpm -qpl "$rpm")
for file in /usr/bin/berth /usr/bin/berthctl /usr/share/applications/Berth.desktop /usr/share/icons/hicolor/128x128/apps/berth.png; do
  grep -qxF "$file" <<<"$files" || fail "the .rpm does not hold $file"
done

echo "== the .deb: $deb"
dpkg-deb --info "$deb"
package=$(dpkg-deb -f "$deb" Package)
# A Berth left installed by an earlier run (or by the user) would make apt keep that one.
if dpkg -s "$package" >/dev/null 2>&1; then
  fail "$package is installed already; remove it first (apt remove $package)"
fi
trap 'apt_get remove -y "$package" >/dev/null || echo "package: could not remove $package" >&2' EXIT
apt_get install -y "./$deb"

# The desktop entry the package installed, and the program its Exec line starts.
entries=$(dpkg -L "$package" | grep '^/usr/share/applications/.*\.desktop$' || true)
[ "$(wc -w <<<"$entries")" = 1 ] || fail "expected one desktop entry, found: $entries"
exec_line=$(awk -F= '/^\[/ {in_entry = ($0 == "[Desktop Entry]")} in_entry && $1 == "Exec" {sub(/^Exec=/, ""); print; exit}' "$entries")
[ -n "$exec_line" ] || fail "$entries has no Exec line"
echo "$entries: Exec=$exec_line"
# Field codes (%f, %U, …) stand for files the desktop passes; a start from the menu has none.
read -ra words <<<"${exec_line//%[fFuUdDnNickvm]/}"
[ "${#words[@]}" = 1 ] || fail "Exec carries arguments the test does not pass: $exec_line"
program=${words[0]}
[[ $program == /* ]] || program=$(command -v "$program") || fail "Exec's $program is not on PATH"
[ "$program" = "$(dpkg -L "$package" | grep -xF "$program")" ] || fail "$program is not the package's"

# Every library the installed program loads comes from a package its dependencies pull in:
# this machine has the build libraries, so a dependency the .deb forgot to declare would go
# unnoticed by apt here and break the app on a user's machine.
closure=$(closure_of "$package")
cli=/usr/bin/berthctl
[ "$cli" = "$(dpkg -L "$package" | grep -xF "$cli")" ] || fail "the .deb does not hold $cli"
for binary in "$program" "$cli"; do
  missing=""
  while read -r library; do
    from=$(owner "$library")
    [ -n "$from" ] || fail "no package owns $library"
    grep -qxF "$from" <<<"$closure" || missing="$missing $library($from)"
  done < <(libraries "$binary" | cut -d' ' -f2)
  [ -z "$missing" ] || fail "libraries of $binary from packages its Depends do not pull in:$missing"
  echo "every library of $binary comes with its Depends: $(dpkg-deb -f "$deb" Depends)"
done

echo "== the installed berthctl, on a profile of its own, lists the local engine's containers"
cli_profile=$(mktemp -d)
label="berth.test=package-cli-$$"
name="berth-package-cli-$$"
docker run -d --label "$label" --name "$name" --network none berth-test/busybox:latest sleep 300 >/dev/null
listed=$(XDG_DATA_HOME=$cli_profile "$cli" ps --format '{{.Name}}' || true)
docker rm -f "$name" >/dev/null
rm -rf "$cli_profile"
grep -qxF "$name" <<<"$listed" || fail "$cli ps did not list $name: $listed"
echo "$cli ps lists $name"

echo "== the installed app, started as its desktop entry starts it"
BERTH_INSTALLED_APP=$program tests/e2e/run.sh --ignored --exact the_installed_app_lists_the_local_containers
