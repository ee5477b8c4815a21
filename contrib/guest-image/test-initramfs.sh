#!/bin/sh
# Checks a built guest (build.sh OUTDIR ...): the initramfs holds /init, its helper scripts, the
# agent and busybox, and every kernel module /init loads, each with all its dependencies loaded
# before it (read from the packed modules themselves); what Xen guests need (block and network
# front ends, xenfs and xen-privcmd) and virtio-fs are always there; 9p and its virtio and Xen
# transports are there unless the kernel has no 9p at all (then listed in modules-absent).
# Then runs the guest scripts' own tests under the image's busybox, the shell /init runs in.
#
# usage: test-initramfs.sh OUTDIR
# Needs python3 (to read the cpio archive) and lz4 or gzip. No root.
set -u
OUTDIR=${1:?usage: test-initramfs.sh OUTDIR}
HERE=$(cd "$(dirname "$0")" && pwd)
[ -f "$OUTDIR/initrd.img" ] || { echo "test-initramfs: no $OUTDIR/initrd.img (run build.sh first)" >&2; exit 1; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0
check() { # DESCRIPTION CONDITION...
    _d=$1; shift
    if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $_d"; fi
}

# Unpack: lz4 (legacy frame, as the kernel wants) or gzip, then cpio newc.
case "$(od -An -tx1 -N4 "$OUTDIR/initrd.img" | tr -d ' ')" in
    02214c18) lz4 -dc "$OUTDIR/initrd.img" > "$T/initrd.cpio" ;;
    1f8b*) gzip -dc "$OUTDIR/initrd.img" > "$T/initrd.cpio" ;;
    *) cp "$OUTDIR/initrd.img" "$T/initrd.cpio" ;;
esac
mkdir "$T/root"
python3 - "$T/initrd.cpio" "$T/root" > "$T/listing" <<'PY' || { echo "test-initramfs: not a newc cpio archive" >&2; exit 1; }
import os, stat, sys
data, root = open(sys.argv[1], "rb").read(), sys.argv[2]
pos = 0
while True:
    h = data[pos:pos + 110]
    if h[:6] not in (b"070701", b"070702"):
        sys.exit(1)
    f = [int(h[6 + 8 * i:14 + 8 * i], 16) for i in range(13)]
    mode, size, namesize = f[1], f[6], f[11]
    name = data[pos + 110:pos + 110 + namesize - 1].decode()
    pos = (pos + 110 + namesize + 3) & ~3
    body = data[pos:pos + size]
    pos = (pos + size + 3) & ~3
    if name == "TRAILER!!!":
        break
    print(name)
    path = os.path.join(root, name)
    if stat.S_ISDIR(mode):
        os.makedirs(path, exist_ok=True)
    elif stat.S_ISLNK(mode):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        os.symlink(body.decode(), path)
    elif stat.S_ISREG(mode):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as out:
            out.write(body)
        os.chmod(path, mode & 0o7777)
PY
R=$T/root
M=$R/lib/modules
listed() { grep -qx "./$1\|$1" "$T/listing"; }
for f in init bin/busybox usr/bin/wsbridge-agent lib/wsbridge/find-channel.sh lib/wsbridge/guest-setup.sh; do
    check "$f is in the initramfs" listed "$f"
done
check "/init is executable" test -x "$R/init"

depends() { tr '\0' '\n' < "$M/$1.ko" | sed -n 's/^depends=//p' | head -n1 | tr , ' '; }
vermagic() { tr '\0' '\n' < "$M/$1.ko" | sed -n 's/^vermagic=//p' | head -n1; }
# Groups in the order /init loads them: a module's dependencies must come earlier.
ORDER="base xen virtiofs 9p 9p-virtio 9p-xen"
loaded_base=
loaded_9p=
magic=
for g in $ORDER; do
    check "group $g is listed" test -f "$M/groups/$g"
    [ -f "$M/groups/$g" ] || continue
    # 9p's transports come after 9p; xen and the share groups after base.
    case "$g" in 9p-virtio | 9p-xen) before="$loaded_9p" ;; *) before=$loaded_base ;; esac
    seen=" $before "
    while read -r m; do
        [ -n "$m" ] || continue
        check "$m ($g) is packed" test -f "$M/$m.ko"
        [ -f "$M/$m.ko" ] || continue
        for dep in $(depends "$m"); do
            case "$seen" in
                *" $dep "*) pass=$((pass + 1)) ;;
                *) fail=$((fail + 1)); echo "FAIL: $m ($g) needs $dep, which is not loaded before it" ;;
            esac
        done
        v=$(vermagic "$m")
        [ -n "$magic" ] || magic=$v
        check "$m is built for the same kernel ($v)" test "$v" = "$magic"
        seen="$seen$m "
    done < "$M/groups/$g"
    case "$g" in
        base) loaded_base=$seen ;;
        9p) loaded_9p=$seen ;;
    esac
done

in_group() { grep -qx "$2" "$M/groups/$1" 2>/dev/null; }
absent() { grep -qx "$1" "$M/absent" 2>/dev/null; }
for m in virtio_pci virtio_console virtio_blk virtio_net; do check "base has $m" in_group base "$m"; done
# A Xen guest's root disk, network, and xenstore through xenfs (which needs xen-privcmd).
for m in xen-blkfront xen-netfront xen-privcmd xenfs; do check "xen has $m" in_group xen "$m"; done
for m in fuse virtiofs; do check "virtiofs has $m" in_group virtiofs "$m"; done
# 9p: there, or the kernel has none (Debian's cloud kernel); never silently missing.
for gm in 9p:9p 9p:9pnet 9p-virtio:9pnet_virtio 9p-xen:9pnet_xen; do
    g=${gm%%:*} m=${gm#*:}
    if absent 9p; then
        check "$m: not packed, the kernel has no 9p" test ! -f "$M/$m.ko"
    else
        check "$g has $m" in_group "$g" "$m"
    fi
done
if [ -f "$OUTDIR/modules-absent" ]; then
    check "modules-absent beside the image matches the initramfs" cmp -s "$OUTDIR/modules-absent" "$M/absent"
fi
echo "initramfs: $(grep -c '\.ko$' "$T/listing") modules in groups:$(for g in $ORDER; do printf ' %s=%s' "$g" "$(grep -c . "$M/groups/$g" 2>/dev/null)"; done); absent: $(echo $(cat "$M/absent" 2>/dev/null)) (kernel $magic)"

# The guest scripts' tests, under the image's own busybox.
for t in test-find-channel.sh test-guest-setup.sh; do
    if BUSYBOX=$R/bin/busybox sh "$HERE/$t"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $t under the image's busybox"; fi
done
echo "test-initramfs: $pass passed, $fail failed"
[ "$fail" = 0 ]
