// Command relay-migrate converts Infinity and JSON API dashboards and data
// source provisioning to Relay (docs/migrate.md).
//
//	relay-migrate dashboard --datasource OLD_UID=RELAY_UID [--datasource …] [--datasource-config old-ds.yaml]
//	                        [--report report.json] < dashboard.json > converted.json
//	relay-migrate datasource < infinity-or-jsonapi-provisioning.yaml > relay-provisioning.yaml
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/relay-gateway/relay/pkg/migrate"
)

const usage = `usage:
  relay-migrate dashboard --datasource OLD_UID=RELAY_UID [--datasource ...] [--datasource-config old-ds.yaml]
                          [--report report.json] < dashboard.json > converted.json
  relay-migrate datasource < infinity-or-jsonapi-provisioning.yaml > relay-provisioning.yaml
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run is the command, testable: it returns the exit status (0 ok, 1 a
// failure, 2 bad usage).
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "dashboard":
		err = dashboard(args[1:], stdin, stdout, stderr)
	case "datasource":
		err = datasource(args[1:], stdin, stdout, stderr)
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "relay-migrate: unknown command %q\n%s", args[0], usage)
		return 2
	}
	var ue usageError
	switch {
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "relay-migrate: %v\n%s", err, usage)
		return 2
	case err != nil:
		fmt.Fprintf(stderr, "relay-migrate: %v\n", err)
		return 1
	}
	return 0
}

type usageError struct{ error }

// mappings is the repeatable --datasource OLD=NEW flag.
type mappings map[string]string

func (m mappings) String() string { return "" }
func (m mappings) Set(v string) error {
	old, relay, ok := strings.Cut(v, "=")
	if !ok || strings.TrimSpace(old) == "" || strings.TrimSpace(relay) == "" {
		return fmt.Errorf("want OLD_UID=RELAY_UID, got %q", v)
	}
	m[strings.TrimSpace(old)] = strings.TrimSpace(relay)
	return nil
}

func dashboard(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("dashboard", flag.ContinueOnError)
	fs.SetOutput(stderr)
	ds := mappings{}
	fs.Var(ds, "datasource", "OLD_UID=RELAY_UID: convert the targets of data source OLD_UID (uid or name) to Relay data source RELAY_UID (repeatable)")
	config := fs.String("datasource-config", "", "the old data sources' provisioning file (YAML or JSON): reference data, URL and allowed hosts")
	reportPath := fs.String("report", "", "write the per-target report (JSON) to this file")
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("unexpected argument %q (the dashboard is read from stdin)", fs.Arg(0))}
	}
	if len(ds) == 0 {
		return usageError{fmt.Errorf("--datasource OLD_UID=RELAY_UID is required")}
	}
	opts := migrate.Options{Datasources: ds}
	if *config != "" {
		raw, err := os.ReadFile(*config)
		if err != nil {
			return err
		}
		if opts.Sources, err = migrate.ReadSources(raw); err != nil {
			return fmt.Errorf("--datasource-config %s: %v", *config, err)
		}
	}
	raw, err := io.ReadAll(io.LimitReader(stdin, 256<<20))
	if err != nil {
		return err
	}
	out, report, err := migrate.ConvertDashboard(raw, opts)
	if err != nil {
		return err
	}
	if *reportPath != "" {
		b, _ := json.MarshalIndent(report, "", "  ")
		if err := os.WriteFile(*reportPath, append(b, '\n'), 0o644); err != nil {
			return err
		}
	}
	if _, err := stdout.Write(out); err != nil {
		return err
	}
	report.Summary(stderr)
	return nil
}

func datasource(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("datasource", flag.ContinueOnError)
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("unexpected argument %q (the provisioning file is read from stdin)", fs.Arg(0))}
	}
	raw, err := io.ReadAll(io.LimitReader(stdin, 64<<20))
	if err != nil {
		return err
	}
	res, err := migrate.ConvertDatasources(raw)
	if err != nil {
		return err
	}
	if _, err := stdout.Write(res.YAML); err != nil {
		return err
	}
	if len(res.Secrets) > 0 {
		fmt.Fprintln(stderr, "relay-migrate: secrets to enter again (never read from the old data source):")
		for _, s := range res.Secrets {
			fmt.Fprintf(stderr, "  %s: secureJsonData.%s (was %s) from $%s\n", s.DataSource, s.Key, s.From, s.Env)
		}
	}
	for _, n := range res.Notes {
		fmt.Fprintln(stderr, "  note: "+n)
	}
	return nil
}
