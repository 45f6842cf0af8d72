// Package localserve holds what the dev host and the demo API share as local
// servers: loopback-only listening and a graceful stop.
package localserve

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// LoopbackAddr checks addr and maps ":port" and "localhost" to 127.0.0.1:
// ":0" means "any free port", not "every interface", and "localhost" could
// resolve elsewhere. Other hosts are refused unless allowRemote.
func LoopbackAddr(addr string, allowRemote bool) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("invalid -addr %q: %w", addr, err)
	}
	if allowRemote {
		return addr, nil
	}
	if host == "" || host == "localhost" {
		host = "127.0.0.1"
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return "", fmt.Errorf("refusing to listen on non-loopback address %q (pass -allow-remote to override)", addr)
	}
	return net.JoinHostPort(host, port), nil
}

// Serve runs srv on ln until ctx ends, then drains in-flight requests for up
// to 5s before cutting long streams off. onStop runs when shutdown begins.
func Serve(ctx context.Context, srv *http.Server, ln net.Listener, onStop func()) error {
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	if onStop != nil {
		onStop()
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		_ = srv.Close() // long streams would otherwise keep the process alive
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
