package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestRunPrintsOneLineAndServes(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	outR, outW := io.Pipe()
	var stderr syncBuffer
	done := make(chan error, 1)
	go func() {
		err := run(ctx, []string{"-addr", ":0", "-token-ttl", "90s"}, outW, &stderr)
		outW.Close()
		done <- err
	}()
	br := bufio.NewReader(outR)
	line, err := br.ReadString('\n')
	if err != nil {
		t.Fatalf("reading the first line: %v (stderr %s)", err, stderr.String())
	}
	base, ok := strings.CutPrefix(strings.TrimSuffix(line, "\n"), "demoapi listening on http://127.0.0.1:")
	if !ok || base == "" || base == "0" {
		t.Fatalf("first line %q", line)
	}
	url := "http://127.0.0.1:" + base
	c := &http.Client{Timeout: 10 * time.Second}
	resp, err := c.Get(url + "/health")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("/health: %d", resp.StatusCode)
	}
	cancel()
	rest, _ := io.ReadAll(br) // ends when run returns and closes the pipe
	if err := <-done; err != nil {
		t.Errorf("run: %v", err)
	}
	if len(rest) != 0 {
		t.Errorf("more stdout after the first line: %q", rest)
	}
	if !strings.Contains(stderr.String(), "path=/health status=200") {
		t.Errorf("stderr lacks the request log: %s", stderr.String())
	}
}

func TestRunRefusesNonLoopback(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", "[::]:0", "192.0.2.1:0", "example.com:80"} {
		err := run(context.Background(), []string{"-addr", addr}, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "non-loopback") {
			t.Errorf("%s: %v", addr, err)
		}
	}
}

func TestListenAddr(t *testing.T) {
	for _, tt := range []struct {
		in     string
		remote bool
		want   string
	}{
		{":0", false, "127.0.0.1:0"},
		{"localhost:8081", false, "127.0.0.1:8081"},
		{"127.0.0.1:8081", false, "127.0.0.1:8081"},
		{"127.1.2.3:1", false, "127.1.2.3:1"},
		{"[::1]:0", false, "[::1]:0"},
		{"0.0.0.0:80", true, "0.0.0.0:80"},
		{":0", true, ":0"},
	} {
		if got, err := listenAddr(tt.in, tt.remote); err != nil || got != tt.want {
			t.Errorf("listenAddr(%q, %v) = %q, %v; want %q", tt.in, tt.remote, got, err, tt.want)
		}
	}
	if _, err := listenAddr("no-port", false); err == nil {
		t.Error("address without port accepted")
	}
}

func TestParseFlags(t *testing.T) {
	o, err := parseFlags(nil, io.Discard)
	if err != nil || o.addr != "127.0.0.1:8081" || o.allowRemote || o.cfg != defaultConfig() {
		t.Errorf("defaults %+v, %v", o, err)
	}
	o, err = parseFlags([]string{"-basic-user", "u", "-basic-pass", "p", "-bearer-token", "b", "-api-key", "k",
		"-client-id", "i", "-client-secret", "s", "-token-ttl", "2s", "-allow-remote",
		"-login-user", "lu", "-login-password", "lp", "-login-ttl", "3s"}, io.Discard)
	want := config{BasicUser: "u", BasicPass: "p", BearerToken: "b", APIKey: "k", ClientID: "i", ClientSecret: "s",
		TokenTTL: 2 * time.Second, LoginUser: "lu", LoginPassword: "lp", LoginTTL: 3 * time.Second}
	if err != nil || o.cfg != want || !o.allowRemote {
		t.Errorf("flags %+v, %v", o, err)
	}
	for _, args := range [][]string{{"-token-ttl", "500ms"}, {"-login-ttl", "0s"}, {"-login-password", ""}, {"-api-key", ""}, {"extra"}, {"-nope"}} {
		if _, err := parseFlags(args, io.Discard); err == nil {
			t.Errorf("%q accepted", args)
		}
	}
	if _, err := parseFlags([]string{"-h"}, io.Discard); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h: %v", err)
	}
}
