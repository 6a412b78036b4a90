# Shared set-up for bin/run and bin/test: system packages, virtualenv, Python packages.
# Sourced, not run. Uses $ROOT (the project folder) and $EXTRAS ("" or "[dev]").

set -euo pipefail

# Debian packages the application needs: Pango and HarfBuzz's subsetter for
# WeasyPrint (PDF letters), and free CJK fonts for printing Chinese.
SYSTEM_PACKAGES=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig fonts-noto-cjk)

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

find_python() {
  for candidate in "${PYTHON:-}" python3.13 python3.12 python3.11 python3; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      echo "$candidate"; return 0
    fi
  done
  return 1
}

missing_system_packages() {
  command -v dpkg-query >/dev/null 2>&1 || return 0
  local pkg
  for pkg in "${SYSTEM_PACKAGES[@]}" "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || echo "$pkg"
  done
}

install_system_packages() {
  local missing
  missing=$(missing_system_packages "$@" | tr '\n' ' ')
  [ -n "${missing// /}" ] || return 0
  local runner=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then runner="sudo"; else
      printf '\nThese system packages are missing: %s\nInstall them with:\n  sudo apt-get install -y %s\n(printing PDF letters needs them; everything else works without).\n\n' "$missing" "$missing" >&2
      return 0
    fi
  fi
  if command -v apt-get >/dev/null 2>&1; then
    say "Installing system packages: $missing"
    $runner apt-get update -qq || true
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive $runner apt-get install -y -qq --no-install-recommends $missing
  else
    printf '\nPlease install the equivalents of these Debian packages: %s\n\n' "$missing" >&2
  fi
}

ensure_virtualenv() {
  # bin/run and bin/test may start at once; one sets the virtualenv up at a time.
  if command -v flock >/dev/null 2>&1; then
    exec 9>"$ROOT/.venv.lock"
    flock 9
  fi
  local python
  if ! python=$(find_python); then
    echo "Python 3.11 or newer is needed (set PYTHON=/path/to/python3.11)." >&2
    exit 1
  fi
  if [ ! -x "$ROOT/.venv/bin/python" ]; then
    if ! "$python" -m venv --help >/dev/null 2>&1 || ! "$python" -c 'import ensurepip' 2>/dev/null; then
      local version; version=$("$python" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
      install_system_packages "python${version}-venv"
    fi
    say "Creating the virtualenv in .venv"
    "$python" -m venv "$ROOT/.venv"
  fi
  # Reinstall only when pyproject.toml or the extras changed.
  local stamp="$ROOT/.venv/.installed" want
  want="$(sha256sum "$ROOT/pyproject.toml" | cut -d' ' -f1)$EXTRAS"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    say "Installing Python packages$EXTRAS"
    "$ROOT/.venv/bin/python" -m pip install --quiet --upgrade pip
    "$ROOT/.venv/bin/python" -m pip install --quiet -e "$ROOT$EXTRAS"
    echo "$want" > "$stamp"
  fi
  # Let go of the lock: the server or test run that follows must not hold it.
  if command -v flock >/dev/null 2>&1; then
    flock -u 9
    exec 9>&-
  fi
}

# The Fandol fonts (FandolFang 仿宋, FandolSong, FandolHei, FandolKai; GPL with the font
# exception) ship inside Debian's texlive-lang-chinese. Only the .otf files are
# taken from the package, not TeX, and put where fontconfig finds them.
install_fandol_fonts() {
  command -v fc-list >/dev/null 2>&1 || return 0
  if [ -n "$(fc-list FandolFang family 2>/dev/null)" ]; then return 0; fi
  local target
  if [ "$(id -u)" -eq 0 ]; then target=/usr/local/share/fonts/fandol; else
    target="${XDG_DATA_HOME:-$HOME/.local/share}/fonts/fandol"; fi
  if ! command -v apt-get >/dev/null 2>&1; then
    printf '\nThe Fandol fonts are missing: copy FandolFang, FandolSong, FandolHei and FandolKai (.otf) into %s and run fc-cache.\n\n' "$target" >&2
    return 0
  fi
  say "Installing the Fandol fonts into $target"
  local work; work=$(mktemp -d)
  chmod 777 "$work"
  if ! (cd "$work" && apt-get download -qq texlive-lang-chinese >/dev/null 2>&1); then
    printf '\nCould not download texlive-lang-chinese for the Fandol fonts; letters print with Noto CJK instead.\n\n' >&2
    rm -rf "$work"; return 0
  fi
  dpkg-deb --fsys-tarfile "$work"/texlive-lang-chinese_*.deb |
    tar -x -C "$work" --wildcards './usr/share/texlive/texmf-dist/fonts/opentype/public/fandol/Fandol[FSHK]*.otf'
  mkdir -p "$target"
  cp "$work"/usr/share/texlive/texmf-dist/fonts/opentype/public/fandol/*.otf "$target"/
  rm -rf "$work"
  fc-cache -f "$target" >/dev/null 2>&1 || true
}
