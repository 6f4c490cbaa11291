package web

import (
	"fmt"
	"net"
	"net/netip"
	"strings"

	"github.com/labstack/echo/v5"
)

// clientIP is the server's echo.IPExtractor. Without trusted proxies the
// client is the TCP peer and X-Forwarded-For is ignored (a client sets it
// to anything it likes). With them, Echo's X-Forwarded-For extractor walks
// the header from the right and returns the first address that is not a
// trusted proxy, and only when the peer itself is one: Echo's defaults
// would also trust every loopback, link-local and private address, which
// on a city's network includes the residents' and offices' NATs, so they
// are switched off and only the configured ranges count.
func clientIP(proxies []*net.IPNet) echo.IPExtractor {
	if len(proxies) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, n := range proxies {
		opts = append(opts, echo.TrustIPRange(n))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}

// ParseTrustedProxies reads a comma-separated list of CIDR ranges or single
// addresses ("10.0.0.0/8, 192.0.2.10, 2001:db8::/32"), as --trusted-proxy
// and MANYI_TRUSTED_PROXY take it. An empty list is no proxy.
func ParseTrustedProxies(list string) ([]*net.IPNet, error) {
	var out []*net.IPNet
	for _, f := range strings.Split(list, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if !strings.Contains(f, "/") {
			a, err := netip.ParseAddr(f)
			if err != nil {
				return nil, fmt.Errorf("trusted proxy %q is neither an address nor a CIDR range (e.g. 10.0.0.0/8)", f)
			}
			f = netip.PrefixFrom(a, a.BitLen()).String()
		}
		_, n, err := net.ParseCIDR(f)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q is neither an address nor a CIDR range (e.g. 10.0.0.0/8)", f)
		}
		out = append(out, n)
	}
	return out, nil
}
