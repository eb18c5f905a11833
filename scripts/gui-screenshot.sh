#!/usr/bin/env bash
# Starts the real Nestwork window under Xvfb (software OpenGL), opens a job,
# nests it, and saves a screenshot of the finished layout.
#
#   scripts/gui-screenshot.sh [OUT.png] [JOB.toml|DXF...]
#
# Needs: xvfb, imagemagick (import), mesa (libgl1-mesa-dri), a built binary
# (NESTWORK_BIN, default target/debug/nestwork; built when missing).
# WAIT_S: seconds to wait after start (default: the job's time budget + 12).
# CLICK_X/CLICK_Y: optional point to click (xdotool) before the screenshot.
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=${1:-docs/gui.png}
shift || true
INPUTS=("$@")
if [ ${#INPUTS[@]} -eq 0 ]; then INPUTS=(assets/samples/job.toml); fi
BIN=${NESTWORK_BIN:-target/debug/nestwork}
W=${SCREEN_W:-1600}
H=${SCREEN_H:-960}

for tool in Xvfb import; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "gui-screenshot: '$tool' is missing; install it with: apt-get install xvfb xauth imagemagick libgl1-mesa-dri" >&2
        exit 2
    fi
done
if [ ! -x "$BIN" ]; then cargo build -p nestwork; fi

budget=10
if [[ "${INPUTS[0]}" == *.toml ]]; then
    budget=$(sed -n 's/^time_limit_s *= *\([0-9.]*\).*/\1/p' "${INPUTS[0]}" | head -1)
    budget=${budget:-10}
fi
WAIT_S=${WAIT_S:-$(( ${budget%.*} + 12 ))}

# A free display number.
n=90
while [ -e "/tmp/.X${n}-lock" ] || [ -e "/tmp/.X11-unix/X${n}" ]; do n=$((n + 1)); done
DISP=":${n}"

TMP=$(mktemp -d)
chmod 700 "$TMP"
cleanup() {
    [ -n "${APP:-}" ] && kill "$APP" 2>/dev/null || true
    [ -n "${XVFB:-}" ] && kill "$XVFB" 2>/dev/null || true
    rm -rf "$TMP"
}
trap cleanup EXIT

Xvfb "$DISP" -screen 0 "${W}x${H}x24" -nolisten tcp >"$TMP/xvfb.log" 2>&1 &
XVFB=$!
for _ in $(seq 50); do [ -e "/tmp/.X11-unix/X${n}" ] && break; sleep 0.1; done

# Fresh settings (eframe storage) so earlier sessions do not change the picture.
env -u WAYLAND_DISPLAY DISPLAY="$DISP" LIBGL_ALWAYS_SOFTWARE=1 \
    XDG_RUNTIME_DIR="$TMP" XDG_CONFIG_HOME="$TMP/config" XDG_DATA_HOME="$TMP/data" HOME="$TMP" \
    "$BIN" gui --nest-on-start --window-size "${W}x${H}" "${INPUTS[@]}" >"$TMP/app.log" 2>&1 &
APP=$!
sleep "$WAIT_S"
if ! kill -0 "$APP" 2>/dev/null; then
    echo "gui-screenshot: the window exited early:" >&2
    cat "$TMP/app.log" >&2
    exit 1
fi
if ! grep -q "nest done" "$TMP/app.log"; then
    echo "gui-screenshot: the nest did not finish within ${WAIT_S} s (raise WAIT_S); app log:" >&2
    cat "$TMP/app.log" >&2
    exit 1
fi
if [ -n "${CLICK_X:-}" ] && command -v xdotool >/dev/null 2>&1; then
    DISPLAY="$DISP" xdotool mousemove "$CLICK_X" "$CLICK_Y" click 1
    sleep 1
    DISPLAY="$DISP" xdotool mousemove "$((CLICK_X + 1))" "$CLICK_Y"
    sleep 1.5
fi
if [ -z "${CLICK_X:-}" ] && command -v xdotool >/dev/null 2>&1; then
    DISPLAY="$DISP" xdotool mousemove "$((W - 30))" "$((H - 80))"   # no tooltip in the picture
    sleep 1
fi
mkdir -p "$(dirname "$OUT")"
DISPLAY="$DISP" import -window root "$OUT"
echo "gui-screenshot: saved $OUT"
