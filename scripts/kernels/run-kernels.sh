#!/usr/bin/env bash
# Boots real Debian kernels (5.10, 6.1, 6.12) under qemu with a static initramfs whose only
# programs are our init (init.c) and the static native payloads, and collects what they print:
# the raw kernel probe (iouring-probe), the native loop tests (core_tests) and one short run of
# loop-bench per ring knob of `bench`, on the loop and on the raw ring, per kernel; and the probe
# once more in a 6.12 guest with kernel.io_uring_disabled=2. Each guest also runs the probe as an
# unprivileged user with a 64 KiB memlock limit.
#
#   scripts/kernels/run-kernels.sh [-k "5.10 6.1 6.12"] [-o OUT_DIR] [-t BOOT_TIMEOUT_S]
#                                  [-b STATIC_BUILD_DIR] [-s TEST_SCALE] [-D] [-R]
#   -k  kernel series to boot                  (default: 5.10 6.1 6.12)
#   -o  where logs and outputs go              (default: test-results/kernel-matrix)
#   -t  limit for one boot, seconds            (default: 600)
#   -b  build dir of the static payloads       (default: native/build-static; built here)
#   -s  IOB_TEST_SCALE for the guest tests     (default: 0.05; TCG is 20-30x slower)
#   -D  download kernels from Debian even when local copies exist
#   -R  download again, replacing cached downloads
#
# Kernels come from $IOB_KERNELS_DIR/<series>, else ../shared/kernels/<series> beside the repo,
# else a download of the newest linux-image-cloud-amd64 of the series from deb.debian.org into
# ${XDG_CACHE_HOME:-$HOME/.cache}/iouring-bench/kernels, with apt state of its own (the system's
# apt lists and status are never touched). A download is retried once; then that kernel is
# skipped with a "SKIP:" line giving the reason. Without qemu (and no way to install it) every
# boot is skipped the same way. Nothing is ever skipped silently.
#
# Output, per boot NAME (5.10, 6.1, 6.12, 6.12-disabled), in OUT_DIR/NAME/: console.log (the
# serial console, \r stripped), LABEL.out and LABEL.rc for each command that ran; and
# OUT_DIR/summary.tsv: name, series, package, status (ok | skip | timeout | failed), seconds,
# detail. Exit status: 0 when every boot that was not skipped ran all its commands with rc 0
# (a knob-* run also with rc 3: loop-bench's status when the kernel refuses the knob), 1
# otherwise. The assertions on what the guests found are in kernel-matrix-test.py.
#
# Guest: qemu TCG (KVM here is nested PVM and cannot boot these kernels), 2 vCPUs, 512 MiB,
# serial console only, no disk, no network, no modules.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
here="$repo/scripts/kernels"
series_list="5.10 6.1 6.12"
out_dir="${IOB_KERNEL_MATRIX_OUT:-$repo/test-results/kernel-matrix}"
boot_timeout=600
build_dir="$repo/native/build-static"
test_scale=0.05
force_download=0
refresh=0
while getopts "k:o:t:b:s:DRh" option; do
  case $option in
    k) series_list=$OPTARG ;;
    o) out_dir=$OPTARG ;;
    t) boot_timeout=$OPTARG ;;
    b) build_dir=$OPTARG ;;
    s) test_scale=$OPTARG ;;
    D) force_download=1 ;;
    R) refresh=1; force_download=1 ;;
    h) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) exit 2 ;;
  esac
done

cache="${XDG_CACHE_HOME:-$HOME/.cache}/iouring-bench"
kernel_cache="$cache/kernels"
# The loop tests that apply to every kernel, and the probe's own tests. Tests that need the
# kernel to accept SINGLE_ISSUER or POLL_ADD on IOPOLL skip themselves where it does not.
# IOB_KERNEL_TEST_FILTER narrows them (a gtest filter) to chase one failure.
test_filter=${IOB_KERNEL_TEST_FILTER:-'Loop.*:*/LoopEachWake.*:*/LoopTimeouts.*:*/LoopShutdown.*:LoopShutdownOnIoPoll.*:*/LoopRaces.*:*/LoopLostWake.*:Probe.*:ProbeSeccomp.*:FixedFiles.*:FixedBuffers.*:SendZc.*'}
started_all=$(date +%s.%N)

log() { echo "run-kernels: $*" >&2; }
seconds_since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

mkdir -p "$out_dir"
summary="$out_dir/summary.tsv"
printf 'name\tseries\tpackage\tstatus\tseconds\tdetail\n' > "$summary"
record() { printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >> "$summary"; }

# Every boot this run would make: name, series, extra kernel command line. Without iob.run a
# guest runs every command of /commands (init.c): the knob runs are too many to list there.
boots=()
for series in $series_list; do
  boots+=("$series|$series|")
done
if [[ " $series_list " == *" 6.12 "* ]]; then
  boots+=("6.12-disabled|6.12|iob.run=probe iob.io_uring_disabled=2")
fi

skip_all() {
  echo "SKIP: kernel matrix: $1"
  for boot in "${boots[@]}"; do
    IFS='|' read -r name series _ <<< "$boot"
    record "$name" "$series" "-" skip 0 "$1"
  done
  exit 0
}

# ---------------------------------------------------------------------------------------------
# qemu

ensure_qemu() {
  command -v qemu-system-x86_64 > /dev/null && return 0
  if [[ $(id -u) -ne 0 ]]; then
    echo "qemu-system-x86_64 is not installed and this is not root, so it cannot be installed"
    return 1
  fi
  log "installing qemu-system-x86"
  local attempt
  for attempt in 1 2; do
    if [[ $attempt -eq 2 ]]; then
      # A fresh machine may have no package lists yet, or stale ones.
      apt-get -o DPkg::Lock::Timeout=600 update -q > "$cache/apt-install.log" 2>&1 || true
    fi
    if DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q \
        --no-install-recommends qemu-system-x86 >> "$cache/apt-install.log" 2>&1 &&
        command -v qemu-system-x86_64 > /dev/null; then
      return 0
    fi
  done
  echo "could not install qemu-system-x86 (tried twice): $(tail -n 1 "$cache/apt-install.log")"
  return 1
}

mkdir -p "$cache" "$kernel_cache"

# ---------------------------------------------------------------------------------------------
# Payloads and initramfs

log "building the static payloads in $build_dir"
cmake -S "$repo/native" -B "$build_dir" -DIOB_STATIC=ON -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build "$build_dir" -j2 --target core_tests iouring-probe loop-bench > "$build_dir/build.log" 2>&1 || {
  tail -n 30 "$build_dir/build.log"
  echo "run-kernels: building the static payloads failed" >&2
  exit 1
}
for payload in core_tests iouring-probe loop-bench; do
  if readelf -l "$build_dir/$payload" | grep -q 'INTERP'; then
    echo "run-kernels: $build_dir/$payload is dynamically linked; the guest has no loader" >&2
    exit 1
  fi
done

# The payloads are built first: the host run of kernel-matrix-test.py needs them even when no
# guest can boot.
if ! qemu_problem=$(ensure_qemu); then
  skip_all "$qemu_problem"
fi

staging=$(mktemp -d)
trap 'rm -rf "$staging"' EXIT
gcc -static -O2 -Wall -Wextra -o "$staging/init" "$here/init.c"
strip -o "$staging/iouring-probe" "$build_dir/iouring-probe"
strip -o "$staging/core_tests" "$build_dir/core_tests"
strip -o "$staging/loop-bench" "$build_dir/loop-bench"
# probe-nobody: the probe unprivileged, with the 64 KiB memlock limit distributions long
# defaulted to, where SQPOLL's privilege rule (before 5.13) and ring memory charged to memlock
# (before 5.12) would show.
cat > "$staging/commands" <<EOF
# label [NAME=VALUE ...] /program [args ...]   (read by init.c)
probe /iouring-probe
probe-nobody IOB_RUN_AS=65534 IOB_MEMLOCK=65536 /iouring-probe
tests IOB_TEST_SCALE=$test_scale /core_tests --gtest_filter=$test_filter --gtest_color=no
EOF
# knob-KNOB-SYSTEM: one short run of loop-bench per ring knob of `bench` (named as its flag), on
# the loop and on the raw ring, with the ring and CQ sizes of the CLI run kernel-matrix-test.py
# compares them with (multishot-recv replaces the nops with a socket workload: a later key wins).
# Exit 3 is the kernel refusing the knob; `plain` (no knob) is the control.
# kernel-matrix-test.py's KNOBS lists the same knobs.
knobs=(
  "plain|"
  "single-issuer|single_issuer=1"
  "defer-taskrun|defer_taskrun=1"
  "coop-taskrun|coop_taskrun=1"
  "taskrun-flag|coop_taskrun=1 taskrun_flag=1"
  "sqpoll|sqpoll=1 sqpoll_idle_ms=10"
  "cq-size|cq_entries=512"
  "submit-all|submit_all=1"
  "no-sqarray|no_sqarray=1"
  "ring-fd|ring_fd=1"
  "multishot-recv|op=socket recv_buffers=1 recv_buffer_size=512"
)
for knob in "${knobs[@]}"; do
  for system in loop raw; do
    echo "knob-${knob%%|*}-$system /loop-bench system=$system op=nop depth=8 ops=200 warmup_ms=0" \
      "size=256 ${knob#*|}"
  done
done >> "$staging/commands"

# newc cpio of the staged files (cpio itself is not installed; perl always is). mtime 0 and
# fixed order make the archive depend only on its contents, so it is cached by its hash.
write_newc() {
  perl -e '
    use strict;
    my $inode = 1;
    sub entry {
      my ($name, $mode, $data) = @_;
      my $header = sprintf("070701" . ("%08X" x 13), $inode++, $mode, 0, 0,
                           ($mode & 0040000) ? 2 : 1, 0, length($data), 0, 0, 0, 0,
                           length($name) + 1, 0);
      print $header, $name, "\0", "\0" x ((4 - (110 + length($name) + 1) % 4) % 4);
      print $data, "\0" x ((4 - length($data) % 4) % 4);
    }
    entry($_, 0040755, "") for qw(dev proc sys tmp);
    for my $spec (@ARGV) {
      my ($name, $path, $mode) = split /:/, $spec;
      open(my $in, "<:raw", $path) or die "$path: $!";
      local $/;
      entry($name, oct($mode), <$in>);
    }
    entry("TRAILER!!!", 0, "");
  ' "init:$staging/init:0100755" "iouring-probe:$staging/iouring-probe:0100755" \
    "core_tests:$staging/core_tests:0100755" "loop-bench:$staging/loop-bench:0100755" \
    "commands:$staging/commands:0100644"
}
mkdir -p "$cache/initramfs"
initramfs_key=$(cat "$staging/init" "$staging/iouring-probe" "$staging/core_tests" \
  "$staging/loop-bench" "$staging/commands" | sha256sum | cut -c1-16)
initramfs="$cache/initramfs/$initramfs_key.cpio.gz"
if [[ ! -s $initramfs ]]; then
  write_newc | gzip -1 -n > "$initramfs.tmp"
  mv "$initramfs.tmp" "$initramfs"
  # Older archives are of older payloads: keep only this one.
  find "$cache/initramfs" -name '*.cpio.gz' ! -name "$initramfs_key.cpio.gz" -delete
fi
log "initramfs $initramfs ($(du -h "$initramfs" | cut -f1))"

# ---------------------------------------------------------------------------------------------
# Kernels

# The directory holding SERIES's vmlinuz and version, if there is one already.
local_kernel_dir() {
  local series=$1 dir
  local candidates=("$kernel_cache/$series")
  if [[ $force_download -eq 0 ]]; then
    candidates=(${IOB_KERNELS_DIR:+"$IOB_KERNELS_DIR/$series"} "$repo/../shared/kernels/$series"
                "$kernel_cache/$series")
  fi
  for dir in "${candidates[@]}"; do
    if [[ -s $dir/vmlinuz && -s $dir/version ]]; then
      (cd "$dir" && pwd)
      return 0
    fi
  done
  return 1
}

# Downloads the newest linux-image-cloud-amd64 of each SERIES given into $kernel_cache, with
# apt state of its own: one apt-get update, one apt-cache show, one apt-get download (each apt
# call re-parses every list, so they are batched).
download_kernels() {
  local apt="$kernel_cache/apt"
  local mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
  local security="${DEBIAN_SECURITY:-http://deb.debian.org/debian-security}"
  rm -rf "$apt"
  mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/debs"
  local suite
  for suite in bullseye bookworm trixie; do
    echo "deb $mirror $suite main"
    echo "deb $security $suite-security main"
  done > "$apt/sources.list"
  local options=(-q -o Dir::Etc::SourceList="$apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
    -o Dir::State::Lists="$apt/lists" -o Dir::State::Status=/dev/null -o Dir::Cache="$apt/cache"
    -o Dir::Etc::Preferences=/dev/null -o Dir::Etc::PreferencesParts=/dev/null
    -o Debug::NoLocking=1 -o APT::Sandbox::User=root -o Acquire::Retries=1
    -o Acquire::http::Timeout=60)

  log "apt-get update (own state in $apt)"
  # A suite that fails to download only matters if a wanted kernel was in it, so update errors
  # are kept to explain a missing kernel rather than treated as fatal.
  apt-get "${options[@]}" update > "$apt/update.log" 2>&1 || true
  local update_errors
  update_errors=$(grep -m 1 -A 1 -E '^(Err|E):' "$apt/update.log" | tr -s ' \n' ' ')
  apt-cache "${options[@]}" show linux-image-cloud-amd64 > "$apt/show.txt" 2> "$apt/show.log" || {
    echo "$(head -n 1 "$apt/show.log")${update_errors:+ (apt-get update: $update_errors)}"
    return 1
  }
  local wanted=() series best version image
  for series in "$@"; do
    # The newest version SERIES.* of the metapackage, and the image package it depends on.
    best=""
    while read -r version image; do
      if [[ -z $best ]] || dpkg --compare-versions "$version" gt "${best%% *}"; then
        best="$version $image"
      fi
    done < <(awk -v prefix="$series." '
      /^Version: / { version = $2 }
      /^Depends: / { split($2, words, " "); image = words[1] }
      /^$/ { if (index(version, prefix) == 1) print version, image; version = "" }
      END { if (index(version, prefix) == 1) print version, image }
    ' "$apt/show.txt")
    if [[ -z $best ]]; then
      echo "no linux-image-cloud-amd64 $series.* on the mirror${update_errors:+ (apt-get update: $update_errors)}"
      return 1
    fi
    log "kernel $series -> ${best#* } (${best%% *})"
    wanted+=("$series ${best#* } ${best%% *}")
  done
  local specs=() item
  for item in "${wanted[@]}"; do
    read -r series image version <<< "$item"
    specs+=("$image=$version")
  done
  (cd "$apt/debs" && apt-get "${options[@]}" download "${specs[@]}") > "$apt/download.log" 2>&1 || {
    grep -E '^(E|W|Err):' "$apt/download.log" | head -n 3
    return 1
  }
  local deb new_dir
  for item in "${wanted[@]}"; do
    read -r series image version <<< "$item"
    deb=$(ls "$apt/debs/${image}_"*.deb) || return 1
    new_dir="$kernel_cache/$series.new"
    rm -rf "$new_dir"
    mkdir -p "$new_dir/x"
    dpkg-deb --fsys-tarfile "$deb" |
      tar -x -C "$new_dir/x" --wildcards './boot/vmlinuz-*' './boot/config-*' || {
      echo "could not extract /boot from $deb"
      return 1
    }
    mv "$new_dir"/x/boot/vmlinuz-* "$new_dir/vmlinuz" && mv "$new_dir"/x/boot/config-* "$new_dir/config" || return 1
    rm -rf "$new_dir/x"
    echo "$image $version $(stat -c %s "$deb")" > "$new_dir/version"
    rm -rf "${kernel_cache:?}/$series"
    mv "$new_dir" "$kernel_cache/$series" || return 1
  done
  rm -rf "$apt"  # the lists alone are about 60 MB
}

declare -A kernel_dir kernel_problem
missing=()
for series in $series_list; do
  if [[ $refresh -eq 0 ]] && dir=$(local_kernel_dir "$series"); then
    kernel_dir[$series]=$dir
  else
    missing+=("$series")
  fi
done
if [[ ${#missing[@]} -gt 0 ]]; then
  if ! problem=$(download_kernels "${missing[@]}"); then
    log "download failed ($(echo "$problem" | tail -n 1)); retrying once in 15 s"
    sleep 15
    if ! problem=$(download_kernels "${missing[@]}"); then
      for series in "${missing[@]}"; do
        kernel_problem[$series]="could not download linux-image-cloud-amd64 $series from Debian after a retry: $(echo "$problem" | tail -n 1)"
      done
    fi
  fi
  for series in "${missing[@]}"; do
    if [[ -z ${kernel_problem[$series]:-} ]]; then
      kernel_dir[$series]="$kernel_cache/$series"
    fi
  done
fi

# ---------------------------------------------------------------------------------------------
# Boots

failures=0
for boot in "${boots[@]}"; do
  IFS='|' read -r name series append <<< "$boot"
  if [[ -n ${kernel_problem[$series]:-} ]]; then
    echo "SKIP: kernel $name: ${kernel_problem[$series]}"
    record "$name" "$series" "-" skip 0 "${kernel_problem[$series]}"
    continue
  fi
  dir="${kernel_dir[$series]}"
  package=$(cut -d' ' -f1-2 "$dir/version")
  boot_dir="$out_dir/$name"
  rm -rf "$boot_dir"
  mkdir -p "$boot_dir"
  echo "===== kernel $name: $package (qemu TCG) ====="
  # A guest kernel that panics while booting, before its init ran a command, is retried once:
  # under TCG a boot now and then dies in an interrupt handler (seen on 6.12, one boot in many)
  # while the same kernel boots at once the next time.
  for attempt in 1 2; do
    boot_started=$(date +%s.%N)
    set +e
    timeout --kill-after=10 "$boot_timeout" qemu-system-x86_64 \
      -accel tcg,thread=multi -cpu max -smp 2 -m 512 \
      -nodefaults -no-user-config -display none -serial stdio -no-reboot \
      -kernel "$dir/vmlinuz" -initrd "$initramfs" \
      -append "console=ttyS0 panic=-1 quiet loglevel=1 $append" \
      < /dev/null > "$boot_dir/console.raw" 2> "$boot_dir/qemu.stderr"
    qemu_rc=$?
    set -e
    boot_seconds=$(seconds_since "$boot_started")
    tr -d '\r' < "$boot_dir/console.raw" > "$boot_dir/console.log"
    rm -f "$boot_dir/console.raw"
    if [[ $attempt -eq 1 ]] && grep -q "Kernel panic" "$boot_dir/console.log" \
      && ! grep -q "@@@RUN-BEGIN@@@" "$boot_dir/console.log"; then
      echo "----- $name: the kernel panicked while booting, before any command ran; booting it once more:"
      grep -m 3 -E "Kernel panic|RIP:|Comm:" "$boot_dir/console.log" || true
      continue
    fi
    break
  done
  # Split the console into LABEL.out / LABEL.rc by the init's markers.
  awk -v dir="$boot_dir" '
    index($0, "@@@RUN-BEGIN@@@") { split($0, a, "label="); label = a[2]; next }
    index($0, "@@@RUN-END@@@") {
      match($0, /rc=[0-9]+/); rc = substr($0, RSTART + 3, RLENGTH - 3)
      match($0, /ms=[0-9]+/); ms = substr($0, RSTART + 3, RLENGTH - 3)
      print rc > (dir "/" label ".rc"); print ms > (dir "/" label ".ms"); label = ""; next
    }
    label != "" { print > (dir "/" label ".out") }
  ' "$boot_dir/console.log"

  # The commands iob.run chose, else every command of /commands.
  expected_labels=$(sed -n 's/.*iob.run=\([^ ]*\).*/\1/p' <<< "$append" | tr ',' ' ')
  if [[ -z $expected_labels ]]; then
    expected_labels=$(awk '!/^#/ && NF { print $1 }' "$staging/commands")
  fi
  status=ok
  detail=""
  if [[ $qemu_rc -eq 124 || $qemu_rc -eq 137 ]]; then
    status=timeout
    detail="no power-off within ${boot_timeout}s"
  elif [[ $qemu_rc -ne 0 ]]; then
    status=failed
    detail="qemu exited $qemu_rc: $(tail -n 1 "$boot_dir/qemu.stderr")"
  fi
  for label in $expected_labels; do
    if [[ ! -f $boot_dir/$label.rc ]]; then
      [[ $status == ok ]] && status=failed
      detail="${detail:+$detail; }$label did not finish"
      continue
    fi
    rc=$(cat "$boot_dir/$label.rc")
    # A knob the kernel refuses is loop-bench's exit 3: a finding for the test, not a failure.
    if [[ $rc != 0 && ! ($label == knob-* && $rc == 3) ]]; then
      [[ $status == ok ]] && status=failed
      detail="${detail:+$detail; }$label rc=$rc"
    fi
  done
  for label in $expected_labels; do
    if [[ -f $boot_dir/$label.out ]]; then
      echo "----- $name: $label (rc=$(cat "$boot_dir/$label.rc" 2> /dev/null || echo none)," \
        "$(cat "$boot_dir/$label.ms" 2> /dev/null || echo '?') ms in the guest)"
      cat "$boot_dir/$label.out"
    fi
  done
  if [[ $status != ok ]]; then
    failures=$((failures + 1))
    echo "----- $name: $status: $detail; last console lines:"
    tail -n 15 "$boot_dir/console.log"
  fi
  echo "----- $name: $status, ${boot_seconds}s from qemu start to power-off"
  record "$name" "$series" "$package" "$status" "$boot_seconds" "$detail"
done

echo "===== summary (qemu TCG) ====="
column -t -s $'\t' "$summary" 2> /dev/null || cat "$summary"
echo "TOTAL $(seconds_since "$started_all") s"
[[ $failures -eq 0 ]]
