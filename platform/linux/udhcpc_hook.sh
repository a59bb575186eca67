# mif udhcpc hook: records what busybox udhcpc hands its script, so mif can
# report DHCPv4 data udhcpc keeps nowhere else (it writes no lease file).
#
# udhcpc runs one script (-s), called with the event as $1 (deconfig, bound,
# renew, leasefail, nak) and the lease in variables (ip, subnet, router, dns,
# domain, search, serverid, lease, mtu). Source this file from that script,
# before it applies the lease:
#
#   #!/bin/sh
#   MIF_UDHCPC_DIR=/run/mif/udhcpc   # optional; this is the default
#   . /path/to/udhcpc_hook.sh
#   ... apply the lease as before ...
#
# Records go to $MIF_UDHCPC_DIR as <interface>.dhcpv4.env, in the format of
# mif's dhclient hook (reason, interface and dhclient's new_* names, so mif
# reads both the same way), replaced atomically, removed when the lease ends.
# udhcpc gives no renewal or rebinding time and no expiry: the record's
# new_expiry is the time the lease was recorded plus its lease time. mif reads
# /run/mif/udhcpc by default; other directories with --lease-dir.

mif_udhcpc_dir="${MIF_UDHCPC_DIR:-/run/mif/udhcpc}"
mif_udhcpc_file="$mif_udhcpc_dir/$interface.dhcpv4.env"
case "$1" in
  bound|renew)
    if mkdir -p "$mif_udhcpc_dir" && {
      if [ "$1" = bound ]; then echo "reason=BOUND"; else echo "reason=RENEW"; fi
      echo "interface=$interface"
      echo "new_ip_address=$ip"
      [ -n "$subnet" ] && echo "new_subnet_mask=$subnet"
      [ -n "$router" ] && echo "new_routers=$router"
      [ -n "$dns" ] && echo "new_domain_name_servers=$dns"
      [ -n "$domain" ] && echo "new_domain_name=$domain"
      [ -n "$search" ] && echo "new_domain_search=$search"
      [ -n "$serverid" ] && echo "new_dhcp_server_identifier=$serverid"
      [ -n "$mtu" ] && echo "new_interface_mtu=$mtu"
      if [ -n "$lease" ]; then
        echo "new_dhcp_lease_time=$lease"
        echo "new_expiry=$(($(date +%s) + lease))"
      fi
      true
    } > "$mif_udhcpc_file.tmp"; then
      mv -f "$mif_udhcpc_file.tmp" "$mif_udhcpc_file"
    fi
    ;;
  deconfig|leasefail|nak)
    rm -f "$mif_udhcpc_file"
    ;;
esac
