#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# scripts/container-base.sh [--tarball-only] — make docker.io/library/debian:bookworm-slim
# exist in local container storage without pulling anything (run as root).
#
#   1. If $LINECAP_BASE_TAR (default /var/cache/linecap/debian-bookworm-slim.tar) is
#      missing, debootstrap --variant=minbase bookworm into a temporary directory, trim it
#      the way Debian's official -slim images are trimmed (no docs but copyright files,
#      no man pages, no locales, no apt lists), and tar it (about 30 MB).
#   2. Unless --tarball-only, import the tarball as docker.io/library/debian:bookworm-slim
#      with `podman import` (or buildah from scratch + add + commit without podman),
#      unless the image is already there.
#
# Storage: the options in $LINECAP_STORAGE_OPTS are given to podman/buildah, e.g.
#   "--root /var/lib/linecap/containers --runroot /run/linecap/containers --storage-driver vfs"
# (tests/container/image.sh sets that; empty = the tools' defaults).
# $LINECAP_DEBIAN_MIRROR overrides http://deb.debian.org/debian.
# Exit status: 0 when the image (or tarball) exists, 1 on failure.
set -euo pipefail

tar_path=${LINECAP_BASE_TAR:-/var/cache/linecap/debian-bookworm-slim.tar}
mirror=${LINECAP_DEBIAN_MIRROR:-http://deb.debian.org/debian}
image=docker.io/library/debian:bookworm-slim
read -ra storage <<<"${LINECAP_STORAGE_OPTS:-}"

die() { printf 'container-base: %s\n' "$*" >&2; exit 1; }
say() { printf 'container-base: %s\n' "$*"; }

tarball_only=0
case ${1:-} in
--tarball-only) tarball_only=1 ;;
-h | --help) sed -n '4,19s/^# \{0,1\}//p' "$0"; exit 0 ;;
'') ;;
*) die "unknown argument '$1' (see --help)" ;;
esac
((EUID == 0)) || die "run as root (debootstrap and container storage need it)"

make_tarball() {
	command -v debootstrap >/dev/null || die "debootstrap not found: apt-get install debootstrap"
	local dir log
	mkdir -p "$(dirname "$tar_path")"
	dir=$(mktemp -d /var/tmp/linecap-debootstrap.XXXXXX)
	log=$dir.log
	# shellcheck disable=SC2064 # expand now: the trap must remove this run's directory
	trap "rm -rf '$dir' '$log'" EXIT
	say "debootstrap bookworm (minbase) from $mirror into $dir (a few minutes)"
	if ! debootstrap --variant=minbase bookworm "$dir" "$mirror" >"$log" 2>&1; then
		tail -n 20 "$log" >&2
		die "debootstrap failed (log above)"
	fi

	# What Debian's docker images do to make -slim (debuerreotype's slimify + apt config).
	cat >"$dir/etc/dpkg/dpkg.cfg.d/docker" <<-'EOF'
		# as in Debian's official -slim images: keep copyright files, drop the rest
		path-exclude /usr/share/doc/*
		path-include /usr/share/doc/*/copyright
		path-exclude /usr/share/man/*
		path-exclude /usr/share/groff/*
		path-exclude /usr/share/info/*
		path-exclude /usr/share/lintian/*
		path-exclude /usr/share/linda/*
		path-exclude /usr/share/locale/*
		path-include /usr/share/locale/locale.alias
	EOF
	cat >"$dir/etc/apt/apt.conf.d/docker-no-languages" <<-'EOF'
		Acquire::Languages "none";
	EOF
	cat >"$dir/etc/apt/apt.conf.d/docker-gzip-indexes" <<-'EOF'
		Acquire::GzipIndexes "true";
	EOF
	cat >"$dir/etc/apt/apt.conf.d/docker-autoremove-suggests" <<-'EOF'
		Apt::AutoRemove::SuggestsImportant "false";
	EOF
	rm -f "$dir/etc/apt/sources.list"
	cat >"$dir/etc/apt/sources.list.d/debian.sources" <<-EOF
		Types: deb
		URIs: $mirror
		Suites: bookworm bookworm-updates
		Components: main
		Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

		Types: deb
		URIs: ${mirror%/debian}/debian-security
		Suites: bookworm-security
		Components: main
		Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
	EOF
	find "$dir/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete 2>/dev/null || true
	find "$dir/usr/share/doc" -mindepth 1 -type d -empty -delete 2>/dev/null || true
	rm -rf "$dir"/usr/share/{man,groff,info,lintian,linda}/* "$dir"/var/lib/apt/lists/* \
		"$dir"/var/cache/apt/*.bin "$dir"/var/cache/apt/archives/*.deb "$dir"/var/log/*.log \
		"$dir"/tmp/* "$dir"/root/.bash_history
	find "$dir/usr/share/locale" -mindepth 1 -maxdepth 1 -not -name locale.alias \
		-exec rm -rf {} + 2>/dev/null || true
	# The resolver of the build host is bind-mounted at run time.
	: >"$dir/etc/resolv.conf"
	printf 'bookworm-slim (local debootstrap by linecap)\n' >"$dir/etc/hostname"

	tar --numeric-owner --xattrs -C "$dir" -cf "$tar_path.tmp" . || die "tar failed"
	mv "$tar_path.tmp" "$tar_path"
	rm -rf "$dir" "$log"
	trap - EXIT
	say "wrote $tar_path ($(du -h "$tar_path" | cut -f1))"
}

[[ -s $tar_path ]] || make_tarball
((tarball_only)) && exit 0

if command -v podman >/dev/null; then
	if podman "${storage[@]}" image exists "$image"; then
		exit 0
	fi
	podman "${storage[@]}" import -q --change 'CMD ["bash"]' "$tar_path" "$image" >/dev/null ||
		die "podman import of $tar_path failed"
elif command -v buildah >/dev/null; then
	if buildah "${storage[@]}" inspect --type image "$image" >/dev/null 2>&1; then
		exit 0
	fi
	ctr=$(buildah "${storage[@]}" from scratch)
	buildah "${storage[@]}" add "$ctr" "$tar_path" / >/dev/null
	buildah "${storage[@]}" config --cmd bash "$ctr"
	buildah "${storage[@]}" commit --rm "$ctr" "$image" >/dev/null || die "buildah commit failed"
else
	die "neither podman nor buildah found: apt-get install podman buildah"
fi
say "imported $tar_path as $image"
