// Command demoapi is a deterministic demo upstream HTTP/JSON API.
//
// Relay's dev host, black-box tests and benchmarks point Relay's data source at it, so it offers something for every
// Relay capability to hit: time series and flat rows for the transformation pipeline, every pagination style the
// engine follows, CSV/NDJSON/gzip bodies, each upstream auth kind (including an OAuth2 token endpoint whose issue count
// is observable), HTTP caching semantics, and faults (slow, streaming, huge, reset, redirecting) for the proxy's
// limits and SSRF checks. Data are computed from indexes, never random, so tests can assert exact values.
//
// It deliberately imports nothing from Relay's pkg/ tree: it plays a third-party API.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/relay-gateway/relay/cmd/internal/localserve"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	switch {
	case errors.Is(err, flag.ErrHelp):
		os.Exit(0)
	case err != nil:
		fmt.Fprintln(os.Stderr, "demoapi:", err)
		os.Exit(1)
	}
}

// options are the parsed command-line flags.
type options struct {
	addr        string
	allowRemote bool
	logLevel    slog.Level
	cfg         config
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	def := defaultConfig()
	var o options
	fs := flag.NewFlagSet("demoapi", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.addr, "addr", "127.0.0.1:8081", "listen address; port 0 picks a free port; loopback only unless -allow-remote")
	fs.BoolVar(&o.allowRemote, "allow-remote", false, "allow listening on a non-loopback address")
	fs.TextVar(&o.logLevel, "log-level", slog.LevelInfo, "debug, info (logs every request), warn or error; benchmarks use warn")
	fs.StringVar(&o.cfg.BasicUser, "basic-user", def.BasicUser, "user for /auth/basic/data")
	fs.StringVar(&o.cfg.BasicPass, "basic-pass", def.BasicPass, "password for /auth/basic/data")
	fs.StringVar(&o.cfg.BearerToken, "bearer-token", def.BearerToken, "static token for /auth/bearer/data")
	fs.StringVar(&o.cfg.APIKey, "api-key", def.APIKey, "key for /auth/apikey/data (X-API-Key header or api_key query)")
	fs.StringVar(&o.cfg.ClientID, "client-id", def.ClientID, "OAuth2 client id for /oauth/token")
	fs.StringVar(&o.cfg.ClientSecret, "client-secret", def.ClientSecret, "OAuth2 client secret for /oauth/token")
	fs.DurationVar(&o.cfg.TokenTTL, "token-ttl", def.TokenTTL, "lifetime of issued OAuth2 tokens (at least 1s)")
	fs.StringVar(&o.cfg.LoginUser, "login-user", def.LoginUser, "user name for POST /login/*")
	fs.StringVar(&o.cfg.LoginPassword, "login-password", def.LoginPassword, "password for POST /login/*")
	fs.DurationVar(&o.cfg.LoginTTL, "login-ttl", def.LoginTTL, "lifetime of login tokens (at least 1s)")
	fs.StringVar(&o.cfg.RefreshToken, "refresh-token", "", "a refresh token /oauth/token accepts once from the start")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	return o, o.cfg.validate()
}

// listenAddr returns the address to bind, refusing non-loopback hosts unless allowRemote: the demo API echoes
// credentials back by design and must not be reachable from other machines by accident.
func listenAddr(addr string, allowRemote bool) (string, error) {
	return localserve.LoopbackAddr(addr, allowRemote)
}

// run serves until ctx is done. It prints exactly one line to stdout once the listener is bound (scripts wait for
// it and read the port from it); everything else goes to stderr.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	opts, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	addr, err := listenAddr(opts.addr, opts.allowRemote)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: opts.logLevel}))
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           newServer(opts.cfg, logger),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		// No ReadTimeout/WriteTimeout: /large and /slow-body stream for as long as the client reads.
		ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	if _, err := fmt.Fprintf(stdout, "demoapi listening on http://%s\n", ln.Addr()); err != nil {
		ln.Close()
		return err
	}
	return localserve.Serve(ctx, srv, ln, func() { logger.Info("shutting down") })
}
