#!/usr/bin/env bash
# Install the Debian packages banshi uses when running as root; otherwise name them.
#   scripts/system-packages.sh run    espeak-ng (speech output), ffmpeg (WeChat voice messages);
#                                     with PROFILE=scale also nginx-light (the load balancer)
#   scripts/system-packages.sh test   the same, chromium and a Chinese font (browser tests:
#                                     without one, Chromium draws the pages' Chinese as boxes),
#                                     sox (the WeChat tests make AMR voice with it), baresip-core
#                                     and kamailio (the phone channel's SIP tests), nginx-light
#                                     (the scale profile's replicas)
set -u
want=(espeak-ng ffmpeg)
[ "${BANSHI_PROFILE:-embedded}" = "scale" ] && want+=(nginx-light)
[ "${1:-run}" = "test" ] && want+=(chromium fonts-wqy-microhei sox baresip-core kamailio nginx-light)
missing=()
for pkg in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || { echo "apt-get install ${missing[*]} failed" >&2; exit 1; }
  exit 0
fi
echo "banshi needs these system packages: ${missing[*]}" >&2
echo "  install them with: sudo apt-get install ${missing[*]}" >&2
[ "${1:-run}" = "test" ] && exit 1
exit 0
