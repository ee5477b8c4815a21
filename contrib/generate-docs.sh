#!/bin/sh
# Regenerates the shell completion scripts (contrib/completions/) and the man page
# (contrib/man/wsbridge.1) from wsbridge's own command tree: swift-argument-parser writes the
# completion scripts, and its generate-manual tool (what the package's GenerateManual plugin
# runs) writes the man page from `wsbridge --experimental-dump-help`.
#   contrib/generate-docs.sh [BINARY]          rewrite them (BINARY: default .build/debug/wsbridge)
#   contrib/generate-docs.sh --check [BINARY]  only compare: exit 1, with the diff, when the
#                                              committed files are stale
# A man page's date is kept as long as nothing else in it changes.
set -eu
cd "$(dirname "$0")/.."
[ -x /opt/swift/usr/bin/swift ] && PATH=/opt/swift/usr/bin:$PATH
check=no
if [ "${1:-}" = --check ]; then check=yes; shift; fi
binary=${1:-.build/debug/wsbridge}
[ -x "$binary" ] || { echo "generate-docs.sh: no executable $binary (swift build first)" >&2; exit 2; }

# generate-manual is a tool of the swift-argument-parser package, not a product: build it from
# the package's checkout, in a build directory of its own.
parser=.build/checkouts/swift-argument-parser
[ -d "$parser" ] || swift package resolve >/dev/null
tools=.build/generate-docs
if ! swift build -q --package-path "$parser" --scratch-path "$tools" --product generate-manual > "$tools.log" 2>&1; then
    cat "$tools.log" >&2
    exit 2
fi
manual=$tools/debug/generate-manual

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
mkdir -p "$out/completions" "$out/man"
"$binary" --generate-completion-script bash > "$out/completions/wsbridge.bash"
"$binary" --generate-completion-script zsh > "$out/completions/_wsbridge"
"$binary" --generate-completion-script fish > "$out/completions/wsbridge.fish"
"$manual" "$binary" --output-directory "$out/man" --section 1
# The committed page's date stays while its text is the same.
for page in "$out"/man/*; do
    old=contrib/man/$(basename "$page")
    if [ -f "$old" ] && [ "$(grep -v '^\.Dd ' "$old")" = "$(grep -v '^\.Dd ' "$page")" ]; then
        cp "$old" "$page"
    fi
done

if [ $check = yes ]; then
    if diff -ru contrib/completions "$out/completions" && diff -ru contrib/man "$out/man"; then
        echo "contrib/completions and contrib/man are up to date"
    else
        echo "generate-docs.sh: contrib/completions or contrib/man are stale: run contrib/generate-docs.sh and commit" >&2
        exit 1
    fi
else
    rm -rf contrib/completions contrib/man
    cp -r "$out/completions" "$out/man" contrib/
    echo "wrote contrib/completions and contrib/man"
fi
