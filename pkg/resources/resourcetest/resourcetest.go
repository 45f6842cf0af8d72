// Package resourcetest calls a backend.CallResourceHandler the way Grafana
// does, for unit tests of resource routes.
package resourcetest

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

// Sender collects the streamed CallResource messages. It keeps a copy of
// each body, as the plugin protocol does (gRPC marshals a message before Send
// returns): a response writer may reuse its buffer once Send has returned.
type Sender struct {
	mu   sync.Mutex
	Msgs []*backend.CallResourceResponse
	// OnSend, if set, sees each message as it is sent.
	OnSend func(*backend.CallResourceResponse)
}

func (s *Sender) Send(r *backend.CallResourceResponse) error {
	if r.Body != nil {
		c := *r
		c.Body = append([]byte{}, r.Body...)
		r = &c
	}
	s.mu.Lock()
	s.Msgs = append(s.Msgs, r)
	s.mu.Unlock()
	if s.OnSend != nil {
		s.OnSend(r)
	}
	return nil
}

// Response is the assembled answer.
type Response struct {
	Status   int
	Header   http.Header
	Body     []byte
	Messages int
	Err      error // returned by CallResource (a failure after streaming began)
}

// JSON decodes the body into a map (nil if it is not a JSON object).
func (r *Response) JSON() map[string]any {
	var m map[string]any
	_ = json.Unmarshal(r.Body, &m)
	return m
}

// Request describes one call.
type Request struct {
	Method string
	// Path is what the browser would put after /resources/, with query.
	Path    string
	Role    string // "" means no user
	Login   string
	Body    []byte
	Headers map[string][]string
	Ctx     context.Context
}

// Call runs req through h as Grafana would: Path decoded once (tests pass it
// already decoded), URL with the raw query.
func Call(h backend.CallResourceHandler, req Request) *Response {
	path, query, _ := strings.Cut(req.Path, "?")
	var user *backend.User
	if req.Role != "" || req.Login != "" {
		login := req.Login
		if login == "" {
			login = "u-" + strings.ToLower(req.Role)
		}
		user = &backend.User{Login: login, Role: req.Role}
	}
	method := req.Method
	if method == "" {
		method = http.MethodGet
	}
	url := "/" + strings.TrimPrefix(path, "/")
	if query != "" {
		url += "?" + query
	}
	ctx := req.Ctx
	if ctx == nil {
		ctx = context.Background()
	}
	s := &Sender{}
	err := h.CallResource(ctx, &backend.CallResourceRequest{
		PluginContext: backend.PluginContext{OrgID: 1, PluginID: "relay-gateway-datasource", PluginVersion: "test", User: user},
		Method:        method, Path: strings.TrimPrefix(path, "/"), URL: url, Headers: req.Headers, Body: req.Body,
	}, s)
	out := &Response{Err: err, Messages: len(s.Msgs), Header: http.Header{}}
	for i, m := range s.Msgs {
		if i == 0 {
			out.Status, out.Header = m.Status, http.Header(m.Headers)
		}
		out.Body = append(out.Body, m.Body...)
	}
	return out
}
