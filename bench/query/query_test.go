// Package querybench measures two costs of Relay's queries (issue 13):
//
//		go test ./bench/query -run '^$' -bench . -benchtime 1x
//
//	  - BenchmarkMacroOverhead: a 10,000-row query whose path, params, header,
//	    root and filter/compute expressions use macros ($__from,
//	    ${__from:date:iso}, ${__user.login}, …) against the same query written
//	    with the literal values it expands to, in one process against one
//	    loopback upstream, in alternating rounds. Target: the macro query takes
//	    at most 1.02 × the literal one's median; above it says ABOVE TARGET.
//	  - BenchmarkListOfValues: list pagination of 50 values through the dev
//	    host and plugin binary against the demo API's /api/values, which takes
//	    20 ms per request, concurrent (the default, 8 at a time) against
//	    sequential (pagination.concurrency 1), in alternating rounds. Target:
//	    concurrent is at least 4 × faster; below it says BELOW TARGET.
package querybench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/log"

	"github.com/relay-gateway/relay/bench/internal/target"
	"github.com/relay-gateway/relay/pkg/authz"
	"github.com/relay-gateway/relay/pkg/query"
	"github.com/relay-gateway/relay/pkg/role"
	"github.com/relay-gateway/relay/pkg/settings"
	"github.com/relay-gateway/relay/pkg/upstream"
	"github.com/relay-gateway/relay/test/blackbox/harness"
)

func TestMain(m *testing.M) {
	log.DefaultLogger = log.NewWithLevel(log.Info)
	backend.Logger = log.NewWithLevel(log.Warn)
	os.Exit(m.Run())
}

const rows = 10_000

func body() []byte {
	var b strings.Builder
	b.WriteString(`{"items":[`)
	cats := []string{"books", "games", "tools", "music"}
	for i := 0; i < rows; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":%d,"category":%q,"price":%d.5,"time":"2023-11-14T%02d:%02d:00Z","owner":"ada"}`,
			i, cats[i%4], i%500, i/60%24, i%60)
	}
	b.WriteString(`]}`)
	return []byte(b.String())
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

func BenchmarkMacroOverhead(b *testing.B) {
	payload := body()
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(payload)
	}))
	defer up.Close()
	s, err := settings.Parse(backend.DataSourceInstanceSettings{UID: "bench", Name: "Bench", URL: up.URL,
		JSONData: []byte(`{"network":{"allowPrivateNetworks":true},"rateLimits":{"disabled":true}}`)})
	if err != nil {
		b.Fatal(err)
	}
	c, err := upstream.New(s.DataSource(), &s.Upstream, upstream.Options{Logger: log.NewNullLogger()})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	r := query.NewRunner(s, upstream.NewSet(c), nil, log.NewNullLogger())
	from, to := time.UnixMilli(1700000000123).UTC(), time.UnixMilli(1700003600123).UTC()
	m := query.Macros{From: from, To: to, Interval: time.Minute, User: backend.User{Login: "ada"}, DSUID: "bench"}
	const pipeline = `"pipeline":{"root":"items","steps":[
		{"type":"filter","expr":"time >= date(\"%s\") && owner == \"%s\" && price < %s"},
		{"type":"compute","name":"window","expr":"\"%s\" + \"/\" + \"%s\""}]}`
	literal := fmt.Sprintf(`{"path":"/items/bench","params":{"from":"1700000000123","to":"1700003600123","step":"1m"},
		"headers":{"X-User":"ada"},`+pipeline+`}`, "2023-11-14T00:00:00.000Z", "ada", "3600", "2023-11-14", "bench")
	macros := fmt.Sprintf(`{"path":"/items/${__ds.uid}","params":{"from":"$__from","to":"${__to:date:ms}","step":"$__interval"},
		"headers":{"X-User":"${__user.login}"},`+pipeline+`}`, "${__from:date:YYYY-MM-DD}T00:00:00.000Z", "${__user.login}", "$__range_s", "${__from:date:YYYY-MM-DD}", "${__ds.uid}")
	parse := func(raw string) *query.Query {
		q, err := query.Parse([]byte(raw))
		if err != nil {
			b.Fatal(err)
		}
		return q
	}
	lit, mac := parse(literal), parse(macros)
	grant := authz.Grant{Caller: authz.Caller{Login: "ada", Role: role.Viewer}, Purpose: "query", Budget: authz.NewCallBudget(0)}
	run := func(q *query.Query) (time.Duration, int) {
		start := time.Now()
		res, err := r.Run(context.Background(), grant, q, m)
		if err != nil {
			b.Fatal(err)
		}
		return time.Since(start), res.Rows
	}
	// Both give the same answer: the macros expand to the literal values.
	if _, a := run(lit); a == 0 {
		b.Fatal("the literal query kept no rows")
	} else if _, c := run(mac); c != a {
		b.Fatalf("macro query: %d rows, literal %d", c, a)
	}
	const rounds = 100
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var tl, tm []time.Duration
		for j := 0; j < rounds; j++ {
			if j%2 == 0 {
				d, _ := run(lit)
				tl = append(tl, d)
				d, _ = run(mac)
				tm = append(tm, d)
			} else {
				d, _ := run(mac)
				tm = append(tm, d)
				d, _ = run(lit)
				tl = append(tl, d)
			}
		}
		ratio := float64(median(tm)) / float64(median(tl))
		fmt.Printf("macro overhead, %d-row query: literal median %v, macros median %v, ratio %s\n", rows,
			median(tl).Round(time.Microsecond), median(tm).Round(time.Microsecond), target.AtMost(ratio, 1.02, "%.3f ×"))
	}
}

const provisioning = `apiVersion: 1
datasources:
  - name: Values
    type: relay-gateway-datasource
    uid: values
    url: $DEMO_URL
    jsonData:
      auth: { type: bearer }
      network: { allowPrivateNetworks: true }
      rateLimits: { disabled: true }
    secureJsonData: { bearerToken: demo-token }
`

func BenchmarkListOfValues(b *testing.B) {
	s := harness.Start(b, harness.Options{Provisioning: provisioning, DevHostArgs: []string{"-log-level", "warn"}, DemoArgs: []string{"-log-level", "warn"}})
	values := make([]string, 50)
	for i := range values {
		values[i] = fmt.Sprintf("host-%02d", i)
	}
	client := &http.Client{Timeout: 60 * time.Second}
	run := func(concurrency int) time.Duration {
		q := map[string]any{"refId": "A", "datasource": map[string]any{"uid": "values"}, "path": "/api/values",
			"params":     map[string]any{"ms": "20"},
			"pagination": map[string]any{"mode": "list", "valueParam": "value", "values": values, "concurrency": concurrency}}
		raw, _ := json.Marshal(map[string]any{"from": "now-1h", "to": "now", "queries": []any{q}})
		req := s.Request("POST", "/api/ds/query", "viewer", strings.NewReader(string(raw)))
		req.Header.Set("Content-Type", "application/json")
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		out, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || strings.Count(string(out), "host-") != len(values) {
			b.Fatalf("list query: %d %.300s", resp.StatusCode, out)
		}
		return time.Since(start)
	}
	run(0) // warm the connections
	const rounds = 5
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var seq, par []time.Duration
		for j := 0; j < rounds; j++ {
			seq = append(seq, run(1))
			par = append(par, run(0))
		}
		ratio := float64(median(seq)) / float64(median(par))
		fmt.Printf("list of 50 values at 20 ms: sequential median %v, concurrent (8) median %v, speed-up %s\n",
			median(seq).Round(time.Millisecond), median(par).Round(time.Millisecond), target.AtLeast(ratio, 4, "%.2f ×"))
	}
}
