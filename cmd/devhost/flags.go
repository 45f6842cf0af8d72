package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/hashicorp/go-hclog"
)

const (
	// grafanaVersion is the Grafana release the dev host imitates (GF_VERSION, the plugin context's user agent).
	grafanaVersion = "12.4.0"
	// defaultMaxRequestBytes caps request bodies: Grafana reads whole bodies into memory before calling the plugin.
	defaultMaxRequestBytes = 64 << 20
)

// errUsage marks a command-line mistake; the flag package has already printed the usage.
var errUsage = errors.New("usage error")

type config struct {
	pluginPath      string
	pluginID        string
	provisioning    string
	usersPath       string
	addr            string
	allowRemote     bool
	maxRequestBytes int64
	restartInterval time.Duration
	logLevel        hclog.Level
	frontendDir     string
	playgroundDir   string
	// idForwarding is Grafana's idForwarding feature toggle: each call carries the caller's signed ID token.
	idForwarding bool
	// pluginConfig is the plugin's [plugin.<id>] section: key=value pairs the plugin gets as GF_PLUGIN_<KEY>.
	pluginConfig []string
}

// pluginConfigFlag collects repeated -plugin-config key=value flags.
type pluginConfigFlag struct{ env *[]string }

func (f pluginConfigFlag) String() string { return "" }

// Set turns key=value into GF_PLUGIN_<KEY>=value, as Grafana does for each key of the plugin's config section.
func (f pluginConfigFlag) Set(v string) error {
	k, val, ok := strings.Cut(v, "=")
	k = strings.TrimSpace(k)
	if !ok || k == "" || strings.ContainsAny(k, " \t=") {
		return fmt.Errorf("want key=value (a key of grafana.ini's [plugin.<id>] section), got %q", v)
	}
	*f.env = append(*f.env, "GF_PLUGIN_"+strings.ToUpper(k)+"="+val)
	return nil
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var cfg config
	var logLevel string
	fs := flag.NewFlagSet("devhost", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.pluginPath, "plugin", "", "path of the plugin executable (required), e.g. dist/gpx_relay_linux_amd64")
	fs.StringVar(&cfg.pluginID, "plugin-id", "relay-gateway-datasource", "plugin id; only provisioned data sources of this type are served")
	fs.StringVar(&cfg.provisioning, "provisioning", "", "Grafana data source provisioning YAML: a file or a directory of *.yaml/*.yml")
	fs.StringVar(&cfg.usersPath, "users", "", "users YAML (login, password, name, email, role, token); default: admin/admin as Admin")
	fs.StringVar(&cfg.addr, "addr", "127.0.0.1:3000", "listen address; port 0 picks a free port")
	fs.BoolVar(&cfg.allowRemote, "allow-remote", false, "allow listening on a non-loopback address")
	fs.Int64Var(&cfg.maxRequestBytes, "max-request-bytes", defaultMaxRequestBytes, "largest accepted request body; bigger ones get 413")
	fs.DurationVar(&cfg.restartInterval, "restart-interval", time.Second, "how often to check the plugin process and restart it if it exited, as Grafana does; 0 never restarts it")
	fs.StringVar(&cfg.frontendDir, "frontend", "", "the plugin's frontend build (module.js, plugin.json), e.g. dist; with -playground, serves the playground at /")
	fs.StringVar(&cfg.playgroundDir, "playground", "", "the playground shell's build, e.g. playground/dist (npm run build:playground)")
	fs.Var(pluginConfigFlag{&cfg.pluginConfig}, "plugin-config", "key=value of grafana.ini's [plugin.<id>] section, passed to the plugin as GF_PLUGIN_<KEY> (repeatable), e.g. redis_url=redis://127.0.0.1:6379/0")
	fs.BoolVar(&cfg.idForwarding, "id-forwarding", false, "Grafana's idForwarding feature: send each call's caller as a signed ID token (X-Grafana-Id), verifiable with the keys at /api/signing-keys/keys")
	fs.StringVar(&logLevel, "log-level", "info", "log level for the dev host and the plugin's logs: trace, debug, info, warn, error")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: devhost -plugin PATH [-provisioning PATH] [-users PATH] [flags]\n\n"+
			"Runs a Grafana backend data source plugin over Grafana's plugin protocol and serves Grafana's HTTP routes for it.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return cfg, err
		}
		return cfg, errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "devhost: unexpected arguments: %q\n", fs.Args())
		return cfg, errUsage
	}
	if cfg.pluginPath == "" {
		fmt.Fprintln(stderr, "devhost: -plugin is required")
		fs.Usage()
		return cfg, errUsage
	}
	if info, err := os.Stat(cfg.pluginPath); err != nil {
		return cfg, fmt.Errorf("plugin executable: %w", err)
	} else if info.IsDir() || info.Mode()&0o111 == 0 {
		return cfg, fmt.Errorf("plugin executable %s is not an executable file", cfg.pluginPath)
	}
	if (cfg.frontendDir == "") != (cfg.playgroundDir == "") {
		return cfg, errors.New("-frontend and -playground go together: the playground shell loads the plugin's module.js")
	}
	if cfg.maxRequestBytes <= 0 {
		return cfg, fmt.Errorf("-max-request-bytes must be positive, got %d", cfg.maxRequestBytes)
	}
	if cfg.restartInterval < 0 {
		return cfg, fmt.Errorf("-restart-interval must not be negative, got %s", cfg.restartInterval)
	}
	cfg.logLevel = hclog.LevelFromString(logLevel)
	if cfg.logLevel == hclog.NoLevel {
		return cfg, fmt.Errorf("unknown -log-level %q", logLevel)
	}
	return cfg, nil
}

// newLogger returns the one logger for the dev host and, through go-plugin, for the plugin's own log lines.
func newLogger(w io.Writer, level hclog.Level) hclog.Logger {
	return hclog.New(&hclog.LoggerOptions{
		Name:   "devhost",
		Level:  level,
		Output: w,
	})
}
