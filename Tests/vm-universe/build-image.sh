#!/bin/sh
# Builds what a user brings to an HTCondor `universe = vm` job, for the end-to-end test:
#   OUTDIR/vmlinuz      Debian's cloud kernel
#   OUTDIR/initrd.img   busybox and the virtio block driver; /init writes a marker into the
#                       job's disk (/dev/vda) at a known offset, then powers the guest off
# The disk itself is a raw file the test makes. The marker line is
#   wsbridge-vm-universe <the kernel's release> <the disk's first 16 bytes, hex>
# at byte 1 MiB of /dev/vda; the guest also prints it on its serial console. With
# wsbridge.sleep=N on the kernel command line, the guest waits N seconds first.
#
# usage: build-image.sh OUTDIR
# Environment: KERNEL_PACKAGE (default linux-image-cloud-amd64).
set -eu

OUTDIR=${1:?usage: build-image.sh OUTDIR}
KERNEL_PACKAGE=${KERNEL_PACKAGE:-linux-image-cloud-amd64}
mkdir -p "$OUTDIR"
OUTDIR=$(cd "$OUTDIR" && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

VERSIONED=$(apt-cache depends "$KERNEL_PACKAGE" | sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | head -n1)
[ -n "$VERSIONED" ] || { echo "build-image.sh: cannot resolve the kernel of $KERNEL_PACKAGE (apt-get update?)" >&2; exit 1; }
apt-get download "$VERSIONED" busybox-static >/dev/null 2>&1 || apt-get download "$VERSIONED" busybox-static
mkdir pkg
for deb in ./*.deb; do dpkg -x "$deb" pkg; done
KVER=${VERSIONED#linux-image-}
cp "pkg/boot/vmlinuz-$KVER" "$OUTDIR/vmlinuz"

ROOT=$WORK/root
mkdir -p "$ROOT/bin" "$ROOT/proc" "$ROOT/sys" "$ROOT/dev" "$ROOT/lib/modules"
cp pkg/bin/busybox "$ROOT/bin/busybox"
for applet in sh mount insmod dd sync poweroff sleep echo cat head od tr uname; do ln -s busybox "$ROOT/bin/$applet"; done
# The block driver and what it needs, dependencies first; one the kernel has built in is skipped.
for m in virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci virtio_blk; do
    f=$(find "pkg/lib/modules/$KVER/kernel" -name "$m.ko*" | head -n1)
    [ -n "$f" ] || continue
    case "$f" in
        *.xz) xz -dc "$f" > "$ROOT/lib/modules/$m.ko" ;;
        *.zst) zstd -qdc "$f" > "$ROOT/lib/modules/$m.ko" ;;
        *) cp "$f" "$ROOT/lib/modules/$m.ko" ;;
    esac
    echo "$m" >> "$ROOT/lib/modules/order"
done
cat > "$ROOT/init" <<'INIT'
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in $(cat /lib/modules/order); do insmod /lib/modules/$m.ko 2>/dev/null; done
n=0
while [ ! -b /dev/vda ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n+1)); done
# wsbridge.sleep=N on the kernel command line: run N seconds first (a long job).
for w in $(cat /proc/cmdline); do case $w in wsbridge.sleep=*) sleep "${w#wsbridge.sleep=}" ;; esac; done
if [ -b /dev/vda ]; then
    first=$(dd if=/dev/vda bs=16 count=1 2>/dev/null | od -An -tx1 | tr -d ' \n')
    line="wsbridge-vm-universe $(uname -r) $first"
    echo "$line" | dd of=/dev/vda bs=1024 seek=1024 conv=notrunc,fsync 2>/dev/null
    sync
    echo "$line"
else
    echo "wsbridge-vm-universe: no /dev/vda"
fi
poweroff -f
INIT
chmod 755 "$ROOT/init"
(cd "$ROOT" && find . | "$ROOT/bin/busybox" cpio -o -H newc 2>/dev/null | gzip -1) > "$OUTDIR/initrd.img"
echo "build-image.sh: $OUTDIR/vmlinuz ($KVER), $OUTDIR/initrd.img ($(wc -c < "$OUTDIR/initrd.img") bytes)"
