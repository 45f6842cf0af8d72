package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"sync"

	"github.com/grafana/grafana-plugin-sdk-go/backend/grpcplugin"
	"github.com/grafana/grafana-plugin-sdk-go/genproto/pluginv2"
	"github.com/hashicorp/go-hclog"
	goplugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
)

// maxGRPCMessageBytes is Grafana's side of the connection: it accepts and sends messages up to ~2 GiB, so any
// message-size failure a user sees comes from the plugin's own limit (16 MiB by default in the SDK).
const maxGRPCMessageBytes = math.MaxInt32

// pluginProcess is the running plugin binary and the gRPC clients Grafana would use to reach it.
type pluginProcess struct {
	client      *goplugin.Client
	resource    pluginv2.ResourceClient
	data        pluginv2.DataClient
	diagnostics pluginv2.DiagnosticsClient
	pid         int
	path        string
	// version is info.version from a plugin.json next to the executable, as Grafana reads it from the plugin dir.
	version string
}

type pluginOptions struct {
	path           string
	id             string
	grafanaVersion string
	// env is GF_PLUGIN_<KEY>=value for each key of the plugin's config section (-plugin-config).
	env    []string
	logger hclog.Logger
	stderr io.Writer
}

// startPlugin starts the executable as Grafana does: go-plugin, gRPC only, no AutoMTLS, the SDK's handshake
// (protocol version 2, magic cookie grafana_plugin_type=datasource), GF_VERSION/GF_EDITION plus the host's
// whole environment (go-plugin appends os.Environ() unless SkipHostEnv).
func startPlugin(opts pluginOptions) (*pluginProcess, error) {
	absPath, err := filepath.Abs(opts.path)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(absPath)
	cmd.Dir = filepath.Dir(absPath)
	cmd.Env = append([]string{"GF_VERSION=" + opts.grafanaVersion, "GF_EDITION=oss"}, opts.env...)
	setParentDeathSignal(cmd)

	// The SDK keeps its HandshakeConfig unexported; these exported constants are exactly what it is built from.
	handshake := goplugin.HandshakeConfig{
		ProtocolVersion:  grpcplugin.ProtocolVersion,
		MagicCookieKey:   grpcplugin.MagicCookieKey,
		MagicCookieValue: grpcplugin.MagicCookieValue,
	}
	conn := &rawConnPlugin{}
	client := goplugin.NewClient(&goplugin.ClientConfig{
		HandshakeConfig: handshake,
		VersionedPlugins: map[int]goplugin.PluginSet{
			grpcplugin.ProtocolVersion: {"diagnostics": conn, "resource": conn, "data": conn},
		},
		Cmd:              cmd,
		AllowedProtocols: []goplugin.Protocol{goplugin.ProtocolGRPC},
		AutoMTLS:         false,
		Logger:           opts.logger.Named("plugin." + opts.id),
		// go-plugin re-logs the plugin's JSON (hclog) lines through Logger, but lines that are not JSON (a race
		// report, a fmt.Fprintln to stderr) only at debug level; this passes those through so they are not lost.
		Stderr: &rawStderrWriter{out: opts.stderr, skip: opts.logger.GetLevel() <= hclog.Debug},
		GRPCDialOptions: []grpc.DialOption{grpc.WithDefaultCallOptions(
			grpc.MaxCallRecvMsgSize(maxGRPCMessageBytes),
			grpc.MaxCallSendMsgSize(maxGRPCMessageBytes),
		)},
	})
	rpcClient, err := client.Client()
	if err != nil {
		client.Kill()
		return nil, err
	}
	raw, err := rpcClient.Dispense("resource")
	if err != nil {
		client.Kill()
		return nil, err
	}
	cc, ok := raw.(*grpc.ClientConn)
	if !ok {
		client.Kill()
		return nil, fmt.Errorf("unexpected dispensed type %T", raw)
	}
	p := &pluginProcess{
		client:      client,
		resource:    pluginv2.NewResourceClient(cc),
		data:        pluginv2.NewDataClient(cc),
		diagnostics: pluginv2.NewDiagnosticsClient(cc),
		path:        absPath,
		version:     readPluginVersion(filepath.Dir(absPath)),
	}
	if rc := client.ReattachConfig(); rc != nil {
		p.pid = rc.Pid
	}
	return p, nil
}

// exited reports whether the plugin process has died; Grafana answers 503 for a plugin that is not running.
func (p *pluginProcess) exited() bool { return p.client.Exited() }

// kill stops the plugin gracefully (closing the gRPC connection), then forcibly after go-plugin's grace period.
func (p *pluginProcess) kill() { p.client.Kill() }

// rawConnPlugin hands back go-plugin's *grpc.ClientConn itself, so the dev host can build the SDK's generated
// clients (pluginv2.NewResourceClient, ...) on it exactly as Grafana does, rather than the SDK's wrappers.
type rawConnPlugin struct {
	goplugin.NetRPCUnsupportedPlugin
}

func (rawConnPlugin) GRPCServer(*goplugin.GRPCBroker, *grpc.Server) error {
	return errors.New("the dev host only consumes plugins")
}

func (rawConnPlugin) GRPCClient(_ context.Context, _ *goplugin.GRPCBroker, cc *grpc.ClientConn) (any, error) {
	return cc, nil
}

// readPluginVersion returns info.version from plugin.json in dir, or a placeholder when there is none (a bare
// go build output has no plugin.json beside it).
func readPluginVersion(dir string) string {
	const unknown = "0.0.0-dev"
	b, err := os.ReadFile(filepath.Join(dir, "plugin.json"))
	if err != nil {
		return unknown
	}
	var meta struct {
		Info struct {
			Version string `json:"version"`
		} `json:"info"`
	}
	if json.Unmarshal(b, &meta) != nil || meta.Info.Version == "" {
		return unknown
	}
	return meta.Info.Version
}

// rawStderrWriter receives the plugin's stderr line by line (go-plugin writes a line, then "\n") and forwards the
// lines that are not hclog JSON, which go-plugin already re-logs. skip is set when go-plugin's debug logging shows
// those lines anyway.
type rawStderrWriter struct {
	out  io.Writer
	skip bool

	mu   sync.Mutex
	line []byte
}

// maxRawLine bounds the buffer for one line; longer lines are forwarded in pieces.
const maxRawLine = 64 << 10

func (w *rawStderrWriter) Write(p []byte) (int, error) {
	if w.skip {
		return len(p), nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	rest := p
	for len(rest) > 0 {
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			w.line = append(w.line, rest...)
			if len(w.line) > maxRawLine {
				w.flushLine()
			}
			break
		}
		w.line = append(w.line, rest[:i]...)
		w.flushLine()
		rest = rest[i+1:]
	}
	return len(p), nil
}

func (w *rawStderrWriter) flushLine() {
	line := bytes.TrimSpace(w.line)
	w.line = w.line[:0]
	if len(line) == 0 || line[0] == '{' {
		return
	}
	_, _ = fmt.Fprintf(w.out, "plugin stderr: %s\n", line)
}

// lockedWriter serialises writes from the logger and the plugin's stderr forwarder.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
