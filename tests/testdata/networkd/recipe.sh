#!/bin/bash
# systemd-networkd (+ systemd-resolved) test bed for mif, in network namespaces.
#
#   recipe.sh [stateless|stateful] [capture-dir]
#
#   mifnd-rtr  r0  fe80::a, 198.51.100.1/24, 198.51.100.2/24, 2001:db8:a::1/64
#              dnsmasq: DHCPv4 198.51.100.100-150 (2m), dns-server, domain-search nd.mif.example,
#              mtu 1400; RA (interval 10 s, router lifetime 600 s) with RDNSS 2001:db8:a::1 and
#              DNSSL a6.mif.example; DHCPv6 stateless (ra-stateless: SLAAC + O flag) or
#              stateful (2001:db8:a::100-1ff, 2m: M flag).
#       |  veth
#   mifnd-host nd0  systemd-networkd (DHCP=yes, IPv6AcceptRA=yes), systemd-resolved, udevd,
#              a private dbus-daemon, all in ONE private mount (+UTS) namespace held by a
#              `sleep infinity`; every step enters it with nsenter.
#
# Phases: build (~1 s) -> services (~2 s) -> DHCPv4/RA/DHCPv6 (~2-5 s) -> capture "initial" + mif
# -> wait for the first renewal (T1 = 60 s) -> capture "renewed" -> restart dnsmasq with
# dns-server 198.51.100.2 -> wait for the next renewal -> capture "dnschange" + mif -> cleanup.
# Nothing is written outside /tmp/nd and the capture directory; the trap cleans up on any exit.
# Needs: iproute2, util-linux (unshare, nsenter), dnsmasq, dbus, udev, systemd 252 (networkd),
# python3 (/tmp/nd/sniff6.py logs RAs and DHCPv6 on r0 to $OUT/packets-v6.txt), deno (mif),
# systemd-resolved extracted (not installed) under $RESOLVED_ROOT:
#   apt-get download systemd-resolved && dpkg-deb -x systemd-resolved_*.deb /tmp/nd/resolved-root
set -euo pipefail

VARIANT=${1:-stateless}
OUT=${2:-/tmp/nd/out-$VARIANT}
W=/tmp/nd/run-$VARIANT                     # scratch: configs, logs, private /etc copies
RTR=mifnd-rtr
HOST=mifnd-host
RESOLVED_ROOT=${RESOLVED_ROOT:-/tmp/nd/resolved-root}
DENO=${DENO:-/root/.npm/_npx/76f887347d91547a/node_modules/deno/deno}
MIF=${MIF:-/work/main}
T0=$(date +%s.%N)

case $VARIANT in
  stateless) V6RANGE=--dhcp-range=2001:db8:a::,ra-stateless,64,10m ;;
  stateful) V6RANGE=--dhcp-range=2001:db8:a::100,2001:db8:a::1ff,64,2m ;;
  *) echo "usage: $0 [stateless|stateful] [capture-dir]" >&2; exit 2 ;;
esac

log() { printf '[%6.1fs] %s\n' "$(awk -v a="$(date +%s.%N)" -v b="$T0" 'BEGIN{print a-b}')" "$*"; }

PIDS=()       # every daemon we start, in start order; stopped in reverse
HOLDER=""
DNSMASQ=""
DNSMASQ_RUNS=0

cleanup() {
  local rc=$? i pid
  set +e
  log "cleanup (exit status $rc)"
  [ -n "$DNSMASQ" ] && PIDS+=("$DNSMASQ")
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
    pid=${PIDS[i]}
    if kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid"; fi
  done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && { log "pid $pid ignored SIGTERM: SIGKILL"; kill -KILL "$pid"; }
    wait "$pid" 2>/dev/null
  done
  if [ -n "$HOLDER" ]; then kill -TERM "$HOLDER" 2>/dev/null; wait "$HOLDER" 2>/dev/null; fi
  # Anything still in our namespaces (e.g. a udevd worker) is ours: stop it by pid.
  for ns in $HOST $RTR; do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do
      log "leftover in $ns: $pid $(tr '\0' ' ' </proc/"$pid"/cmdline)"; kill -KILL "$pid"
    done
  done
  ip netns del $HOST 2>/dev/null
  ip netns del $RTR 2>/dev/null
  rm -rf "$W/etc-work"   # overlayfs work dir (root-only leftovers)
  log "namespaces left: $(ip netns list | grep -c '^mifnd-' || true)"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

in_ns() { nsenter --target "$HOLDER" --net --mount --uts -- "$@"; }
wait_for() { # seconds description command...
  local secs=$1 what=$2; shift 2
  for _ in $(seq $((secs * 10))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "timed out after ${secs}s waiting for $what" >&2; return 1
}

start_dnsmasq() { # dns-server
  DNSMASQ_RUNS=$((DNSMASQ_RUNS + 1))
  local logfile="$W/dnsmasq-$DNSMASQ_RUNS.log"
  ip netns exec $RTR dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv --no-hosts \
    --user=root --group=root --bind-interfaces --pid-file="$W/dnsmasq.pid" \
    --dhcp-leasefile="$W/dnsmasq.leases" --log-facility="$logfile" --log-queries --log-dhcp \
    --interface=r0 --enable-ra --ra-param=r0,10,600 \
    --dhcp-range=198.51.100.100,198.51.100.150,255.255.255.0,2m "$V6RANGE" \
    --dhcp-option=option:dns-server,"$1" \
    --dhcp-option=option:domain-search,nd.mif.example \
    --dhcp-option=option:mtu,1400 \
    --dhcp-option=option6:dns-server,[2001:db8:a::1] \
    --dhcp-option=option6:domain-search,a6.mif.example \
    </dev/null >/dev/null 2>&1 &
  DNSMASQ=$!
  wait_for 5 "dnsmasq on r0" grep -q "DHCP, IP range 198.51.100.100" "$logfile"
  log "dnsmasq pid $DNSMASQ, dns-server $1"
}

stop_dnsmasq() {
  kill -TERM "$DNSMASQ"; wait "$DNSMASQ" 2>/dev/null || true; DNSMASQ=""
}

capture() { # phase
  local p=$1 idx
  idx=$(in_ns cat /sys/class/net/nd0/ifindex)
  in_ns cp "/run/systemd/netif/leases/$idx" "$OUT/lease-$p"
  in_ns cp "/run/systemd/netif/links/$idx" "$OUT/links-$p"
  in_ns cp /run/systemd/netif/state "$OUT/netif-state-$p"
  in_ns ls -lAR --time-style=+%H:%M:%S /run/systemd/netif >"$OUT/netif-ls-$p.txt"
  in_ns networkctl --no-pager status nd0 --json=pretty >"$OUT/networkctl-status-$p.json" 2>&1 || true
  in_ns networkctl --no-pager status nd0 --json=short >"$OUT/networkctl-status-short-$p.json" 2>&1 || true
  in_ns env COLUMNS=200 SYSTEMD_COLORS=0 networkctl --no-pager status nd0 \
    >"$OUT/networkctl-status-$p.txt" 2>&1 || true
  for verb in dns domain status; do   # exactly as mif runs dns/domain: no options
    in_ns env PATH="$RESOLVED_ROOT/usr/bin:$PATH" resolvectl $verb \
      >"$OUT/resolvectl-$verb-$p.txt" 2>"$OUT/resolvectl-$verb-$p.stderr" || true
    [ -s "$OUT/resolvectl-$verb-$p.stderr" ] || rm -f "$OUT/resolvectl-$verb-$p.stderr"
  done
  { in_ns ip addr show dev nd0; in_ns ip -4 route; in_ns ip -6 route; } >"$OUT/ip-$p.txt"
  cp "$W/dnsmasq.leases" "$OUT/dnsmasq-leases-$p"
  log "captured $p (ifindex $idx)"
}

run_mif() { # phase
  local p=$1
  in_ns env PATH="$RESOLVED_ROOT/usr/bin:$PATH" DENO_NO_UPDATE_CHECK=1 NO_COLOR=1 \
    sh -c "cd '$MIF' && timeout 120 '$DENO' run -A --unstable-worker-options cli.ts status --json" \
    >"$OUT/mif-status-$p.json" 2>"$OUT/mif-status-$p.stderr" || log "mif --json failed: $?"
  in_ns env PATH="$RESOLVED_ROOT/usr/bin:$PATH" DENO_NO_UPDATE_CHECK=1 NO_COLOR=1 \
    sh -c "cd '$MIF' && timeout 120 '$DENO' run -A --unstable-worker-options cli.ts status" \
    >"$OUT/mif-status-$p.txt" 2>&1 || log "mif failed: $?"
  log "mif run ($p)"
}

lease_mtime() { in_ns stat -c %Y "/run/systemd/netif/leases/$(in_ns cat /sys/class/net/nd0/ifindex)"; }
lease_changed() { [ "$(lease_mtime)" != "$1" ]; }

# ---------------------------------------------------------------- build
mkdir -p "$OUT"
rm -rf "$W"; mkdir -p "$W"/{network,udev-rules,empty,dbus}
for ns in $HOST $RTR; do
  if ip netns list | grep -qw "^$ns"; then echo "$ns exists: another run?" >&2; exit 1; fi
done
ip netns add $RTR
ip netns add $HOST
ip -n $RTR link set lo up
ip -n $HOST link set lo up
ip netns exec $RTR sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
  net.ipv6.conf.all.forwarding=1 net.ipv4.ip_forward=1
ip netns exec $HOST sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
ip link add nd0 netns $HOST type veth peer name r0 netns $RTR
ip -n $RTR link set r0 addrgenmode none
ip -n $RTR addr add fe80::a/64 dev r0 nodad
ip -n $RTR addr add 198.51.100.1/24 dev r0
ip -n $RTR addr add 198.51.100.2/24 dev r0
ip -n $RTR addr add 2001:db8:a::1/64 dev r0 nodad
ip -n $RTR link set r0 up
ip netns exec $RTR /usr/bin/python3 /tmp/nd/sniff6.py r0 </dev/null >"$OUT/packets-v6.txt" 2>&1 &
PIDS+=($!)
start_dnsmasq 198.51.100.1

# ---------------------------------------------------------------- private files of the host
cat >"$W/network/10-nd0.network" <<'EOF'
[Match]
Name=nd0

[Network]
DHCP=yes
IPv6AcceptRA=yes

[DHCPv4]
UseDomains=yes
UseMTU=yes
UseHostname=no

[DHCPv6]
UseDomains=yes

[IPv6AcceptRA]
UseDomains=yes
EOF
# Only the network-device rules: udevd in a netns also gets the machine's untagged (block,
# input...) uevents, so it runs with a private /dev and no rules that load modules or probe disks.
cp /lib/udev/rules.d/{73-special-net-names,75-net-description,80-net-setup-link,99-systemd}.rules \
  "$W/udev-rules/"
# /etc is an overlay (upper layer in $W) inside the private mount namespace: a fixed
# machine-id (stable MAC, DUID, IAID), a systemd-resolve user for the extracted resolved, the
# .network file, and /etc/resolv.conf -> the stub, as on a Debian host running resolved.
mkdir -p "$W/etc-upper/systemd/network" "$W/etc-work"
cp "$W/network/10-nd0.network" "$W/etc-upper/systemd/network/"
echo 0123456789abcdef0123456789abcdef >"$W/etc-upper/machine-id"
cp -p /etc/passwd /etc/group "$W/etc-upper/"
grep -q '^systemd-resolve:' /etc/passwd ||
  echo 'systemd-resolve:x:991:991:systemd Resolver:/:/usr/sbin/nologin' >>"$W/etc-upper/passwd"
grep -q '^systemd-resolve:' /etc/group || echo 'systemd-resolve:x:991:' >>"$W/etc-upper/group"
ln -s ../run/systemd/resolve/stub-resolv.conf "$W/etc-upper/resolv.conf"
cat >"$W/dbus/system.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <user>messagebus</user>
  <listen>unix:path=/run/dbus/system_bus_socket</listen>
  <auth>EXTERNAL</auth>
  <!-- no service directories: nothing is bus-activated -->
  <policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"/>
    <allow send_destination="org.freedesktop.DBus"
           send_interface="org.freedesktop.DBus.Introspectable"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Properties"/>
  </policy>
  <includedir>/usr/share/dbus-1/system.d</includedir>
  <includedir>$RESOLVED_ROOT/usr/share/dbus-1/system.d</includedir>
</busconfig>
EOF

# ---------------------------------------------------------------- host namespaces
ip netns exec $HOST unshare --mount --propagation private --uts sleep infinity </dev/null &
HOLDER=$!
wait_for 5 "the namespace holder" sh -c "readlink /proc/$HOLDER/exe | grep -q /sleep\$"
in_ns hostname mifnd-host
in_ns mount -t tmpfs -o mode=0755,size=16m mifnd-run /run
in_ns sh -c 'mkdir -p -m 1777 /run/lock && ln -s /dev/shm /run/shm &&
  mkdir -p /run/udev /run/dbus /run/systemd/netif &&
  chown -R systemd-network:systemd-network /run/systemd/netif'
in_ns mount -t overlay mifnd-etc -o "lowerdir=/etc,upperdir=$W/etc-upper,workdir=$W/etc-work" /etc
log "namespaces and private mounts ready (holder pid $HOLDER)"

# udevd: own nested mount namespace with a private /dev and the net rules only.
nsenter --target "$HOLDER" --net --mount --uts -- unshare --mount --propagation private sh -c "
  mount -t tmpfs -o mode=0755 mifnd-dev /dev &&
  mknod -m 666 /dev/null c 1 3 && mknod -m 666 /dev/zero c 1 5 && mknod -m 666 /dev/urandom c 1 9 &&
  mount --bind '$W/udev-rules' /lib/udev/rules.d && mount --bind '$W/empty' /etc/udev/rules.d &&
  exec env SYSTEMD_LOG_TARGET=console /lib/systemd/systemd-udevd" </dev/null >"$W/udevd.log" 2>&1 &
PIDS+=($!)
wait_for 5 "udevd" in_ns test -S /run/udev/control
in_ns udevadm trigger --subsystem-match=net --action=add
in_ns udevadm settle -t 5
log "udevd pid ${PIDS[-1]}: $(in_ns ls /run/udev/data | tr '\n' ' ')"

nsenter --target "$HOLDER" --net --mount --uts -- dbus-daemon --config-file="$W/dbus/system.conf" --nofork --nopidfile \
  </dev/null >"$W/dbus.log" 2>&1 &
PIDS+=($!)
wait_for 5 "dbus-daemon" in_ns test -S /run/dbus/system_bus_socket
log "dbus-daemon pid ${PIDS[-1]}"

nsenter --target "$HOLDER" --net --mount --uts -- env SYSTEMD_LOG_TARGET=console SYSTEMD_LOG_LEVEL=debug \
  "$RESOLVED_ROOT/lib/systemd/systemd-resolved" </dev/null >"$W/resolved.log" 2>&1 &
PIDS+=($!)
wait_for 5 "systemd-resolved" in_ns test -e /run/systemd/resolve/stub-resolv.conf || true
log "systemd-resolved pid ${PIDS[-1]}"

nsenter --target "$HOLDER" --net --mount --uts -- env SYSTEMD_LOG_TARGET=console SYSTEMD_LOG_LEVEL=debug \
  /lib/systemd/systemd-networkd \
  </dev/null >"$W/networkd.log" 2>&1 &
PIDS+=($!)
log "systemd-networkd pid ${PIDS[-1]}"

# ---------------------------------------------------------------- configured?
wait_for 20 "a DHCPv4 lease" in_ns sh -c 'ls /run/systemd/netif/leases/* && ip -4 addr show dev nd0 | grep -q 198.51.100.'
log "DHCPv4 bound: $(in_ns ip -4 -br addr show dev nd0)"
wait_for 20 "a global IPv6 address" in_ns sh -c 'ip -6 addr show dev nd0 scope global | grep -q 2001:db8:a:'
wait_for 20 "DHCPv6 data in the link file" in_ns sh -c 'grep -q "^DHCP6_CLIENT_DUID=" /run/systemd/netif/links/*' || true
wait_for 20 "networkd: configured" in_ns sh -c 'grep -q "^ADMIN_STATE=configured" /run/systemd/netif/links/*' || true
sleep 2   # let late RA/DHCPv6 data reach the state files and resolved
log "IPv6: $(in_ns ip -6 -br addr show dev nd0)"
capture initial
run_mif initial

# ---------------------------------------------------------------- renewal (T1 = 60 s)
m0=$(lease_mtime)
wait_for 90 "the first renewal" lease_changed "$m0"
sleep 1
capture renewed

# ---------------------------------------------------------------- new DNS server, next renewal
stop_dnsmasq
start_dnsmasq 198.51.100.2
m1=$(lease_mtime)
wait_for 90 "the renewal after the DNS change" lease_changed "$m1"
sleep 2
capture dnschange
run_mif dnschange

# ---------------------------------------------------------------- logs
cp "$W"/{dnsmasq-*,networkd,resolved,udevd,dbus}.log "$OUT/" 2>/dev/null || true
cp "$W/network/10-nd0.network" "$W/dbus/system.conf" "$OUT/"
log "done"
