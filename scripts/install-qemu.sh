#!/usr/bin/env bash
# What `make package` needs to start the arm64 bootstraps on this x86_64 machine (Debian's
# packages, installed once): qemu-aarch64 (qemu-user-static, user-mode emulation, no kernel or
# image), and an aarch64 glibc and libgcc_s for the binaries' dynamic loader (the -cross packages
# put them under /usr/aarch64-linux-gnu; qemu is pointed there with -L). readelf (binutils, already
# here with gcc) reads the foreign ELF for the glibc symbol versions.
set -euo pipefail
need=()
command -v qemu-aarch64-static >/dev/null || need+=(qemu-user-static)
[ -e /usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1 ] || need+=(libc6-arm64-cross)
[ -e /usr/aarch64-linux-gnu/lib/libgcc_s.so.1 ] || need+=(libgcc-s1-arm64-cross)
command -v readelf >/dev/null || need+=(binutils)
[ ${#need[@]} -eq 0 ] && exit 0
echo "==> installing ${need[*]} (Debian packages, first time only)"
sudo=""
[ "$(id -u)" = 0 ] || sudo=sudo
# The package lists may be missing or stale on a fresh machine: update them once here.
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
command -v qemu-aarch64-static >/dev/null
