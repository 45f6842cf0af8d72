// Command devhost stands in for Grafana so Relay can run and be tested on machines where no Grafana server can run.
//
// It starts the plugin binary the way Grafana does (hashicorp/go-plugin, gRPC, the SDK's handshake), reads data
// sources from Grafana provisioning YAML and users from a small YAML file, and serves the Grafana HTTP routes that
// reach a data source plugin: resources, /api/ds/query and health. It talks to the plugin only over the plugin
// protocol and imports nothing from Relay's pkg/, so what works here works the same behind a real Grafana.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	// Grafana stops its plugins when it stops; the dev host does the same on Ctrl-C or a service manager's SIGTERM.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	switch {
	case err == nil:
	case errors.Is(err, flag.ErrHelp):
		os.Exit(0)
	case errors.Is(err, errUsage):
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "devhost:", err)
		os.Exit(1)
	}
}

// run is main without the process-wide parts (signals, exit codes), so tests can run the dev host in-process and
// the race detector sees its code. It returns when ctx is done or the HTTP server fails.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	// hclog and the plugin's raw stderr both write here, from different goroutines.
	stderr = &lockedWriter{w: stderr}
	logger := newLogger(stderr, cfg.logLevel)

	datasources, err := loadProvisioning(cfg.provisioning, cfg.pluginID, os.LookupEnv, logger)
	if err != nil {
		return fmt.Errorf("provisioning: %w", err)
	}
	users, err := loadUsers(cfg.usersPath, logger)
	if err != nil {
		return fmt.Errorf("users: %w", err)
	}
	var pg *playground
	if cfg.frontendDir != "" {
		if pg, err = loadPlayground(cfg.frontendDir, cfg.playgroundDir, cfg.pluginID); err != nil {
			return err
		}
	}
	// Bind before starting the plugin so a busy port or a refused address fails fast, without a stray process.
	listener, err := listen(cfg.addr, cfg.allowRemote)
	if err != nil {
		return err
	}
	defer listener.Close()

	plugins, err := startSupervised(pluginOptions{
		path:           cfg.pluginPath,
		id:             cfg.pluginID,
		grafanaVersion: grafanaVersion,
		env:            cfg.pluginConfig,
		logger:         logger,
		stderr:         stderr,
	}, cfg.restartInterval)
	if err != nil {
		return fmt.Errorf("start plugin: %w", err)
	}
	defer plugins.kill()

	srv := newServer(cfg, logger, plugins, datasources, users, pg, "http://"+listener.Addr().String()+"/")
	// Tests and the black-box harness parse this exact line, so it is the only thing written to stdout.
	if _, err := fmt.Fprintf(stdout, "devhost listening on http://%s\n", listener.Addr()); err != nil {
		return err
	}
	logger.Info("devhost ready", "plugin", cfg.pluginPath, "pluginPid", plugins.plugin().pid, "datasources", datasources.count())
	return serve(ctx, srv, listener, logger)
}
