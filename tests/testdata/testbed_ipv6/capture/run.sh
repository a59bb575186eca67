#!/bin/bash
# Capture script for tests/testdata/testbed_ipv6 (run as root). Everything in mifcap-* namespaces.
set -u
C=/tmp/cap
OUT=/work/main/tests/testdata/testbed_ipv6
mkdir -p "$C" "$OUT"
rm -f "$C"/*.log "$C"/*.leases "$C"/*.pid "$C"/*.out
H=mifcap-host
PY=/root/.pyenv/versions/3.11.7/bin/python3
PIDS=()
NSS=()
T0=$(date +%s.%N)

log() { echo "[$(date -u +%T.%N | cut -c1-12)] $*" | tee -a "$C/run.log"; }
rel() { echo "$(date +%s.%N) - $T0" | bc; }

cleanup() {
  log "cleanup: pids ${PIDS[*]}"
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
  sleep 1
  for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
  for ((i = ${#NSS[@]} - 1; i >= 0; i--)); do
    ns=${NSS[$i]}
    left=$(ip netns pids "$ns" 2>/dev/null)
    if [ -n "$left" ]; then log "left in $ns: $left ($(ps -o comm= -p $left | tr '\n' ' '))"; fi
    ip netns del "$ns" 2>/dev/null && log "deleted $ns"
  done
}
trap cleanup EXIT

addns() { # name router?
  ip netns add "$1" || exit 1
  NSS+=("$1")
  ip -n "$1" link set lo up
  ip netns exec "$1" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
  if [ "$2" = router ]; then
    ip netns exec "$1" sysctl -qw net.ipv6.conf.all.forwarding=1 net.ipv4.ip_forward=1
  fi
}
veth() { # name in ns_from, peer in ns
  ip link add "$1" netns "$2" type veth peer name "$3" netns "$4" || exit 1
}
router() { # ns dev ll addrs...
  local ns=$1 dev=$2 ll=$3; shift 3
  ip -n "$ns" link set "$dev" addrgenmode none
  ip -n "$ns" addr add "$ll/64" dev "$dev" nodad
  for a in "$@"; do ip -n "$ns" addr add "$a" dev "$dev" nodad; done
  ip -n "$ns" link set "$dev" up
}
dnsmasq_start() { # name ns args...
  local name=$1 ns=$2; shift 2
  ip netns exec "$ns" dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv --no-hosts \
    --user=root --group=root --bind-interfaces --pid-file="$C/$name.pid" \
    --dhcp-leasefile="$C/$name.leases" --log-facility="$C/$name.log" --log-queries "$@" \
    </dev/null >/dev/null 2>&1 &
  PIDS+=($!)
  eval "PID_$name=$!"
  log "dnsmasq $name pid $! : $*"
}
bg() { # outfile cmd... (in host ns)
  local out=$1; shift
  ip netns exec $H "$@" </dev/null >"$out" 2>&1 &
  PIDS+=($!)
  log "bg pid $! : $* > $out"
  LASTPID=$!
}
waitfor() { # timeout desc cmd...
  local t=$1 d=$2; shift 2
  local end=$(($(date +%s) + t))
  while ! "$@" >/dev/null 2>&1; do
    if [ "$(date +%s)" -ge $end ]; then log "TIMEOUT waiting for $d"; return 1; fi
    sleep 0.05
  done
  log "ready: $d"
}
hip() { ip -n $H "$@"; }

date -u +%FT%TZ >"$C/date.txt"
{ uname -a; ip -V; dnsmasq --version | head -1; dhclient --version 2>&1; rdisc6 -V 2>&1 | head -1; } >"$C/versions.txt"

addns $H host
addns mifcap-br bridge
addns mifcap-r1 router
addns mifcap-r2 router
addns mifcap-nofwd host   # no forwarding: it is the point
addns mifcap-renum router
addns mifcap-tmp router
addns mifcap-dhcp6 router
ip netns exec mifcap-nofwd sysctl -w net.ipv6.conf.all.forwarding=0 >>"$C/run.log"

# ---- 1. stub0: R1 default router, R2 stub router (lifetime 0) on one bridged link
ip -n mifcap-br link add br0 type bridge mcast_snooping 0
ip -n mifcap-br link set br0 up
veth stub0 $H p0 mifcap-br
veth p1 mifcap-br r0 mifcap-r1
veth p2 mifcap-br r0 mifcap-r2
router mifcap-r1 r0 fe80::d1 2001:db8:d1::1/64
router mifcap-r2 r0 fe80::d2 2001:db8:d2::1/64
for p in p0 p1 p2; do ip -n mifcap-br link set $p master br0; ip -n mifcap-br link set $p up; done
dnsmasq_start r1 mifcap-r1 --interface=r0 --enable-ra --ra-param=r0,10,600 \
  --dhcp-range=2001:db8:d1::,ra-only,64,10m \
  "--dhcp-option=option6:dns-server,[2001:db8:d1::1]" --dhcp-option=option6:domain-search,d1.mif.example
dnsmasq_start r2 mifcap-r2 --interface=r0 --enable-ra --ra-param=r0,10,0 \
  --dhcp-range=2001:db8:d2::,ra-only,64,10m \
  "--dhcp-option=option6:dns-server,[2001:db8:d2::1]" --dhcp-option=option6:domain-search,d2.mif.example
sleep 1
# iproute2 has no nduseropt object: record what each requested form prints, and its exit code
: >"$C/ip_monitor_nduseropt.txt"
for form in "ip -o monitor nduseropt" "ip monitor nduseropt" "ip -j monitor nduseropt"; do
  echo "\$ $form" >>"$C/ip_monitor_nduseropt.txt"
  ip netns exec $H timeout 3 $form >>"$C/ip_monitor_nduseropt.txt" 2>&1
  echo "[exit code $?]" >>"$C/ip_monitor_nduseropt.txt"
done
bg "$C/mon_prefix_o.txt" ip -o monitor prefix; MON4=$LASTPID
bg "$C/mon_prefix_plain.txt" ip monitor prefix; MON5=$LASTPID
bg "$C/mon_prefix_j.txt" ip -j monitor prefix; MON3=$LASTPID
bg "$C/mon_all_o.txt" ip -o monitor all; MON1=$LASTPID
bg "$C/nlmon_stub0.txt" $PY -u $C/nlmon.py; MON2=$LASTPID
bg "$C/mon_ts_all.txt" ip -ts -o monitor prefix route address neigh; MON6=$LASTPID
sleep 0.5
ip netns exec $H sysctl net.ipv6.conf.all.use_tempaddr net.ipv6.conf.default.use_tempaddr net.ipv6.conf.stub0.use_tempaddr >>"$C/run.log"
log "stub0 up"
hip link set stub0 up
waitfor 20 "SLAAC d1 on stub0" sh -c "ip -n $H -6 addr show dev stub0 | grep -q 2001:db8:d1:"
sleep 25
kill -TERM $MON1 $MON2 $MON3 $MON4 $MON5
log "monitors (except ts) stopped"
ip netns exec $H rdisc6 -n -m -r 1 -w 1000 stub0 >"$C/rdisc6_stub0.txt" 2>&1
log "rdisc6 stub0 rc=$?"
{ echo "== addr stub0"; hip -6 addr show dev stub0; echo "== route"; hip -6 route show table all dev stub0;
  echo "== neigh"; hip -6 neigh show dev stub0; } >"$C/stub0_state.txt"

# ---- 2. nofwd0: router with forwarding=0
veth nofwd0 $H r0 mifcap-nofwd
router mifcap-nofwd r0 fe80::b0 2001:db8:b0::1/64
ip netns exec mifcap-nofwd sysctl net.ipv6.conf.all.forwarding net.ipv6.conf.r0.forwarding >>"$C/run.log"
dnsmasq_start nofwd mifcap-nofwd --interface=r0 --enable-ra --ra-param=r0,10,600 \
  --dhcp-range=2001:db8:b0::,ra-only,64,10m "--dhcp-option=option6:dns-server,[2001:db8:b0::1]"
sleep 1
bg "$C/nofwd_sniff.txt" $PY -u $C/sniff.py nofwd0; SNIFF=$LASTPID
bg "$C/nofwd_mon.txt" ip -ts -o monitor neigh route dev nofwd0; NOFWDMON=$LASTPID
sleep 0.5
hip link set nofwd0 up
ts_up=$(date +%s.%N)
waitfor 20 "default via fe80::b0" sh -c "ip -n $H -6 route show default | grep -q 'fe80::b0'"
ts_ra=$(date +%s.%N)
F="$C/nofwd0_default_routes.txt"
sample() { # label
  echo "t=$(echo "$(date +%s.%N) - $ts_ra" | bc | xargs printf '%.2f') ($(date +%T.%N | cut -c1-12))"
  hip -6 route show default | sed 's/^/  route: /'
  hip -6 neigh show dev nofwd0 | sed 's/^/  neigh: /'
}
{
  echo "# nofwd0: the router namespace has net.ipv6.conf.all.forwarding=0 and net.ipv6.conf.r0.forwarding=0"
  echo "# link up $(date -d @$ts_up +%T.%N | cut -c1-12); t=0 ($(date -d @$ts_ra +%T.%N | cut -c1-12)) is when 'default via fe80::b0' first appeared in 'ip -6 route show default' (polled every 0.05 s)"
  echo "# no traffic is sent to the router by the capture; each sample: 'ip -6 route show default' (all links) and 'ip -6 neigh show dev nofwd0'"
  echo "## before (t=0): ip -6 addr show dev nofwd0"; hip -6 addr show dev nofwd0
  echo "## before (t=0): ip -6 route show table all dev nofwd0"; hip -6 route show table all dev nofwd0
  echo "## every 0.2 s for 15 s (each sample takes about 0.05 s more)"
  end=$(echo "$ts_ra + 15" | bc)
  while [ "$(echo "$(date +%s.%N) < $end" | bc)" = 1 ]; do sample; sleep 0.2; done
  echo "## every 1 s until t=40"
  end=$(echo "$ts_ra + 40" | bc)
  while [ "$(echo "$(date +%s.%N) < $end" | bc)" = 1 ]; do sample; sleep 1; done
  echo "## after (t=40): ip -6 addr show dev nofwd0"; hip -6 addr show dev nofwd0
  echo "## after (t=40): ip -6 route show table all dev nofwd0"; hip -6 route show table all dev nofwd0
} >"$F"
kill -TERM $SNIFF $NOFWDMON
sleep 0.2
{
  echo "## the same 40 s as seen by 'ip -ts -o monitor neigh route dev nofwd0' (started before the link came up)"
  cat "$C/nofwd_mon.txt"
  echo "## the Neighbor Discovery packets on nofwd0 in the host namespace over the same time (AF_PACKET capture, /tmp/cap/sniff.py; out = sent by the host)"
  cat "$C/nofwd_sniff.txt"
} >>"$F"
log "nofwd done"

# ---- 3. renum0: old prefix e1, then e1 deprecated + new e2
veth renum0 $H r0 mifcap-renum
router mifcap-renum r0 fe80::e 2001:db8:e1::1/64
dnsmasq_start renum1 mifcap-renum --interface=r0 --enable-ra --ra-param=r0,10,600 \
  --dhcp-range=2001:db8:e1::,ra-only,64,10m "--dhcp-option=option6:dns-server,[2001:db8:e1::1]"
# ---- 4. tmp0: use_tempaddr=2 in the host
veth tmp0 $H r0 mifcap-tmp
ip netns exec $H sysctl -w net.ipv6.conf.tmp0.use_tempaddr=2 >>"$C/run.log"
router mifcap-tmp r0 fe80::70 2001:db8:70::1/64
dnsmasq_start tmp mifcap-tmp --interface=r0 --enable-ra --ra-param=r0,10,600 \
  --dhcp-range=2001:db8:70::,ra-only,64,10m "--dhcp-option=option6:dns-server,[2001:db8:70::1]"
# ---- 5. dhcp6s0: stateful DHCPv6
veth dhcp6s0 $H r0 mifcap-dhcp6
router mifcap-dhcp6 r0 fe80::f 2001:db8:f::1/64
dnsmasq_start dhcp6 mifcap-dhcp6 --interface=r0 --enable-ra --ra-param=r0,10,600 \
  --dhcp-range=2001:db8:f::100,2001:db8:f::1ff,64,10m \
  "--dhcp-option=option6:dns-server,[2001:db8:f::1]" --dhcp-option=option6:domain-search,f.mif.example
sleep 1
for d in renum0 tmp0 dhcp6s0; do hip link set $d up; done
waitfor 20 "SLAAC e1" sh -c "ip -n $H -6 addr show dev renum0 | grep -q 2001:db8:e1:"
waitfor 20 "temporary on tmp0" sh -c "ip -n $H -6 addr show dev tmp0 | grep -q temporary"
waitfor 20 "RA on dhcp6s0" sh -c "ip -n $H -6 route show default | grep -q fe80::f"
hip -j -p addr show dev renum0 >"$C/renum0_before.json"
hip -6 addr show dev renum0 >"$C/renum0_before.txt"
ip netns exec $H rdisc6 -n -m -r 1 -w 1000 renum0 >"$C/rdisc6_renum0_before.txt" 2>&1

cat >"$C/dhclient6.conf" <<'EOF'
request dhcp6.name-servers, dhcp6.domain-search;
EOF
cat >"$C/dhclient6-script" <<'EOF'
#!/bin/sh
# Records the variables, applies IA_NA like Debian's /sbin/dhclient-script (no prefix length: /128).
{ echo "=== $(date -u +%FT%T.%NZ)"; env | grep -E '^(reason|interface|new_|old_|cur_)' | sort; } >>/tmp/cap/dhclient6-script.log
case "$reason" in
  BOUND6|RENEW6|REBIND6)
    if [ -n "$new_ip6_address" ]; then
      ip -6 addr replace "$new_ip6_address" dev "$interface" scope global \
        valid_lft "$new_max_life" preferred_lft "$new_preferred_life"
    fi ;;
  DEPREF6) ip -6 addr change "$cur_ip6_address" dev "$interface" scope global preferred_lft 0 ;;
  EXPIRE6|RELEASE6|STOP6) [ -n "$old_ip6_address" ] && ip -6 addr del "$old_ip6_address" dev "$interface" ;;
esac
exit 0
EOF
chmod 755 "$C/dhclient6-script"
rm -f "$C/dhclient6-script.log"
bg "$C/dhclient6.out" dhclient -6 -d -v -cf "$C/dhclient6.conf" -sf "$C/dhclient6-script" \
  -lf "$C/dhclient6.leases" -pf "$C/dhclient6.pid" dhcp6s0
waitfor 30 "IA_NA address" sh -c "ip -n $H -6 addr show dev dhcp6s0 | grep -q 2001:db8:f::1"

# renumber: restart the renum0 router with e1 deprecated and e2 new
kill -TERM $PID_renum1; wait $PID_renum1 2>/dev/null
log "renum1 stopped"
ip -n mifcap-renum addr add 2001:db8:e2::1/64 dev r0 nodad
dnsmasq_start renum2 mifcap-renum --interface=r0 --enable-ra --ra-param=r0,10,600 \
  --dhcp-range=2001:db8:e1::,ra-only,64,deprecated \
  --dhcp-range=2001:db8:e2::,ra-only,64,10m "--dhcp-option=option6:dns-server,[2001:db8:e2::1]"
waitfor 30 "SLAAC e2" sh -c "ip -n $H -6 addr show dev renum0 | grep -q 2001:db8:e2:"
waitfor 30 "e1 deprecated" sh -c "ip -n $H -6 addr show dev renum0 | grep 2001:db8:e1: | grep -q deprecated"
sleep 2
ip netns exec $H rdisc6 -n -m -r 1 -w 1000 renum0 >"$C/rdisc6_renum0.txt" 2>&1
hip -j -p addr show dev renum0 >"$C/renum0_ip_addr.json"
hip -6 addr show dev renum0 >"$C/renum0_after.txt"
hip -6 route show table all dev renum0 >"$C/renum0_routes.txt"

sleep 3
ip netns exec $H sysctl net.ipv6.conf.tmp0.use_tempaddr net.ipv6.conf.nofwd0.use_tempaddr net.ipv6.conf.renum0.use_tempaddr >>"$C/run.log"
# settled captures
hip -j -p addr show >"$C/ip_addr.json"
hip -j -p -6 route show table all >"$C/ip_route6.json"
hip -j -p -d link show >"$C/ip_link.json"
{ echo "== ip -6 addr"; hip -6 addr show; echo "== ip -6 route show table all"; hip -6 route show table all;
  echo "== ip -6 neigh"; hip -6 neigh show; echo "== ip -j -6 neigh"; hip -j -6 neigh show; } >"$C/final_text.txt"
cp "$C/dhclient6.leases" "$C/dhclient6_stateful.leases"
kill -TERM $MON6
ip netns exec $H sysctl net.ipv6.conf.all.use_tempaddr >>"$C/run.log"
log "all captured"
