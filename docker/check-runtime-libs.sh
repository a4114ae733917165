#!/usr/bin/env bash
# Checks that the runtime stage of docker/Dockerfile installs exactly the Debian packages whose
# shared libraries BINARY links (on a Debian bookworm machine, like the image's base):
#
#   docker/check-runtime-libs.sh BINARY        e.g. build-image/deployments (docker/build.sh)
#
# Each library `ldd BINARY` resolves is mapped to its package with `dpkg -S`. It fails, listing
# them, when
#   - a library is not found, or no package owns it;
#   - a needed package is neither in the runtime stage's apt list (the packages of the
#     `apt-get install` between the `# runtime-packages: begin` and `# runtime-packages: end`
#     comments) nor part of the debian:bookworm-slim base (libc6, libstdc++6, libgcc-s1);
#   - the list holds a package the binary does not need (ca-certificates excepted: the CA store
#     for upstream TLS is data, not a library).
# DOCKERFILE=path checks another Dockerfile (the tests use it).
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 BINARY" >&2
  exit 2
fi
binary=$1
dockerfile=${DOCKERFILE:-"$(dirname "$0")/Dockerfile"}
base_packages=(libc6 libstdc++6 libgcc-s1)
allowed_extra=(ca-certificates)

[ -f "$binary" ] || { echo "error: no such binary: $binary" >&2; exit 2; }
[ -f "$dockerfile" ] || { echo "error: no such Dockerfile: $dockerfile" >&2; exit 2; }
if ! command -v dpkg-query >/dev/null; then
  echo "error: dpkg-query not found (needs Debian)" >&2
  exit 2
fi

# The runtime stage's apt list: the words after `install` up to `&&`, without options (-y, ...)
# or assignments, from the lines between the markers (line continuations joined).
mapfile -t listed < <(
  sed -n '/^# runtime-packages: begin/,/^# runtime-packages: end/p' "$dockerfile" \
    | grep -v '^[[:space:]]*#' \
    | sed 's/\\[[:space:]]*$//' \
    | tr -s ' \t' '\n' \
    | awk '$0 == "install" { on = 1; next }
           $0 == "&&" { on = 0 }
           on && $0 != "" && $0 !~ /^-/ && $0 !~ /=/ { print }' \
    | sort -u)
if ((${#listed[@]} == 0)); then
  echo "error: no apt-get install list between '# runtime-packages: begin' and" \
       "'# runtime-packages: end' in $dockerfile" >&2
  exit 2
fi

# The libraries, from ldd: "name => /path (addr)", "/path (addr)", or "name => not found".
ldd_out=$(ldd "$binary" 2>&1) || { echo "error: ldd $binary failed: $ldd_out" >&2; exit 1; }
problems=()
libs=()
while read -r name arrow target _; do
  if [ "$arrow" = "=>" ]; then
    if [ "$target" = "not" ]; then
      problems+=("library $name: not found")
    else
      libs+=("$target")
    fi
  elif [[ "$name" == /* ]]; then
    libs+=("$name")
  fi  # else linux-vdso.so.1: no file
done <<<"$ldd_out"

# ldd prints paths through the /lib -> usr/lib symlink of merged /usr, while dpkg knows each
# file under the path its package shipped it at: for each library try the path as printed, its
# /usr twin, and the same for the symlink's target. One dpkg-query call answers for all.
candidates_of() {
  local c real
  real=$(readlink -f "$1" || true)
  for c in "$1" "$real"; do
    [ -n "$c" ] || continue
    echo "$c"
    case "$c" in
      /usr/*) echo "${c#/usr}" ;;
      *) echo "/usr$c" ;;
    esac
  done
}
declare -A owner=()  # path -> "pkg1 pkg2"
if ((${#libs[@]})); then
  mapfile -t all_candidates < <(for lib in "${libs[@]}"; do candidates_of "$lib"; done | sort -u)
  # "pkg:arch[, pkg2:arch]: /path"; diversion lines are skipped; paths not found are not printed.
  while IFS= read -r line; do
    [[ "$line" == "diversion by"* ]] && continue
    path="/${line#*: /}"
    pkgs=$(echo "${line%%: /*}" | tr ',' '\n' | sed 's/^ *//; s/:.*$//' | tr '\n' ' ')
    owner[$path]=${pkgs% }
  done < <(dpkg-query -S "${all_candidates[@]}" 2>/dev/null || true)
fi

declare -A needed=()  # package -> its libraries
for lib in "${libs[@]}"; do
  pkgs=""
  while read -r c; do
    if [ -n "${owner[$c]:-}" ]; then pkgs=${owner[$c]}; break; fi
  done < <(candidates_of "$lib")
  if [ -z "$pkgs" ]; then
    problems+=("library $lib: no Debian package owns it (dpkg -S)")
    continue
  fi
  for pkg in $pkgs; do
    needed[$pkg]="${needed[$pkg]:+${needed[$pkg]} }$(basename "$lib")"
  done
done

in_list() {
  local x=$1; shift
  local y
  for y in "$@"; do [ "$x" = "$y" ] && return 0; done
  return 1
}

echo "$binary needs (ldd + dpkg -S):"
for pkg in $(printf '%s\n' "${!needed[@]}" | sort); do
  where="runtime stage"
  if in_list "$pkg" "${base_packages[@]}"; then
    where="base image"
  elif ! in_list "$pkg" "${listed[@]}"; then
    where="MISSING"
    problems+=("package $pkg (${needed[$pkg]}) is missing from the runtime stage's apt list")
  fi
  printf '  %-18s %-14s %s\n' "$pkg" "$where" "${needed[$pkg]}"
done
for pkg in "${listed[@]}"; do
  if [ -z "${needed[$pkg]+x}" ] && ! in_list "$pkg" "${allowed_extra[@]}"; then
    problems+=("package $pkg is in the runtime stage's apt list but $binary does not need it")
  fi
done

if ((${#problems[@]})); then
  echo "FAILED: $dockerfile's runtime stage does not match $binary:" >&2
  printf '  - %s\n' "${problems[@]}" >&2
  exit 1
fi
echo "OK: $dockerfile's runtime stage installs exactly what $binary needs" \
     "(${listed[*]})"
