package settings

import "net/url"

// Outbound is how an upstream's connections leave the host: directly (none),
// through the proxy named by HTTP(S)_PROXY/NO_PROXY (env), or an explicit
// proxy URL with its own credentials (url; password in secureJsonData
// outboundProxyPassword). SecureSocksProxy uses Grafana's secure socks proxy
// (private data source connect) when Grafana enables it for the data source.
type Outbound struct {
	Mode     string `json:"mode,omitempty"` // none | env | url
	URL      string `json:"url,omitempty"`
	Username string `json:"username,omitempty"`
	// SecureSocksProxy is set from Grafana's jsonData.enableSecureSocksProxy.
	SecureSocksProxy bool `json:"secureSocksProxy,omitempty"`
}

// Outbound proxy modes.
const (
	OutboundNone = "none"
	OutboundEnv  = "env"
	OutboundURL  = "url"
)

func validateOutbound(s *Upstream, errs *Errors) {
	p := s.Path()
	o := s.OutboundProxy
	switch o.Mode {
	case "", OutboundNone, OutboundEnv:
		if o.URL != "" {
			errs.add(p.JSON("outboundProxy.url"), "is used only with mode url")
		}
	case OutboundURL:
		u, err := url.Parse(o.URL)
		switch {
		case err != nil || u.Host == "":
			errs.add(p.JSON("outboundProxy.url"), "must be an absolute proxy URL (http://, https:// or socks5://)")
		case u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "socks5":
			errs.add(p.JSON("outboundProxy.url"), "scheme must be http, https or socks5, got %q", u.Scheme)
		case u.User != nil:
			errs.add(p.JSON("outboundProxy.url"), "must not contain credentials; set outboundProxy.username and secureJsonData outboundProxyPassword")
		}
	default:
		errs.add(p.JSON("outboundProxy.mode"), "must be none, env or url, got %q", o.Mode)
	}
	if o.Mode != "" && o.Mode != OutboundNone && o.SecureSocksProxy {
		errs.add(p.JSON("outboundProxy.mode"), "cannot be combined with Grafana's secure socks proxy")
	}
}
