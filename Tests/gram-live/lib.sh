# Shared by the gram-live scripts (sourced, bash): the settings setup.sh wrote, and running a
# command as the mapped grid user inside the gatekeeper's network namespace.
#
#   as_user SECONDS CMD...   runs CMD as a grid user's shell would; sets OUT, ERR and RC
#   show                     OUT, ERR and RC on one line, for failure messages

GRAM_LIVE_ENV=/run/wsbridge-gram-live.env
if [ ! -f "$GRAM_LIVE_ENV" ]; then
    echo "no $GRAM_LIVE_ENV: start the stack with Tests/gram-live/setup.sh first" >&2
    exit 2
fi
# shellcheck disable=SC1090
. "$GRAM_LIVE_ENV"
UHOME=$(getent passwd "$GRAM_USER" | cut -d: -f6)
GRAM_LIVE_ERRFILE=$(mktemp)

as_user() {
    local t=$1; shift
    OUT=$(timeout "$t" ip netns exec "$GRAM_NETNS" runuser -u "$GRAM_USER" -- \
          env -i -C "$UHOME" HOME="$UHOME" USER="$GRAM_USER" LOGNAME="$GRAM_USER" PATH=/usr/bin:/bin \
          GLOBUS_HOSTNAME=localhost "$@" 2> "$GRAM_LIVE_ERRFILE")
    RC=$?
    ERR=$(cat "$GRAM_LIVE_ERRFILE")
    [ "$RC" -eq 124 ] && ERR="$ERR (timed out after $t s)"
    return 0
}
show() { printf 'exit %s, stdout [%s], stderr [%s]' "$RC" "$OUT" "$ERR"; }
