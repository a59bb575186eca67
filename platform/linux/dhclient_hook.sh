# mif dhclient hook: records the variables dhclient hands its script, so mif
# can report DHCP data dhclient keeps nowhere else (`dhclient -6 -S` writes no
# lease: stateless DHCPv6 data reaches only the script).
#
# Install on Debian: copy to /etc/dhcp/dhclient-exit-hooks.d/mif (dhclient-script
# sources it). A custom -sf script can source it too. Records go to
# $MIF_DHCLIENT_DIR (default /run/mif/dhclient) as <interface>.dhcpv4.env or
# <interface>.dhcpv6.env, replaced atomically, removed when the lease ends.
# mif reads /run/mif/dhclient by default; other directories with --lease-dir.

mif_dir="${MIF_DHCLIENT_DIR:-/run/mif/dhclient}"
case "$reason" in
  *6) mif_family=dhcpv6 ;;
  *) mif_family=dhcpv4 ;;
esac
mif_file="$mif_dir/$interface.$mif_family.env"
case "$reason" in
  BOUND|RENEW|REBIND|REBOOT|BOUND6|RENEW6|REBIND6|DEPREF6)
    if mkdir -p "$mif_dir" &&
      env | grep -E '^(reason|interface|new_[a-z0-9_]+)=' > "$mif_file.tmp"; then
      mv -f "$mif_file.tmp" "$mif_file"
    fi
    ;;
  EXPIRE|FAIL|RELEASE|STOP|EXPIRE6|RELEASE6|STOP6)
    rm -f "$mif_file"
    ;;
esac
